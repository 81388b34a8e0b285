import { Injectable, type OnModuleInit } from '@nestjs/common';
import { validationRequestedEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { ValidationService } from './validation.service';

@Injectable()
export class ValidationConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly validation: ValidationService,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'validator' }).on(validationRequestedEvent, ({ envelope }) => this.validation.validate(envelope));
  }
}
