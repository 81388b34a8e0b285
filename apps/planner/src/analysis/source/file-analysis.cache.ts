import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import type { FileAnalysis } from './file-analysis';

/**
 * Per-file analysis results by content: the key hashes the file's blob id,
 * its path, the analysis version and the tool configuration, so an
 * unchanged file is never analysed twice and any change to it (or to the
 * configuration) misses.
 */
@Injectable()
export class FileAnalysisCache {
  constructor(private readonly redis: RedisConnection) {}

  async getMany(keys: string[]): Promise<Array<FileAnalysis | undefined>> {
    const found: Array<FileAnalysis | undefined> = [];
    // MGET in slices: one huge command would block Redis for others.
    for (let i = 0; i < keys.length; i += 500) {
      const slice = keys.slice(i, i + 500).map((k) => this.redis.key('planner', 'file-analysis', k));
      const values = await this.redis.client.mget(...slice);
      for (const value of values) found.push(value ? (JSON.parse(value) as FileAnalysis) : undefined);
    }
    return found;
  }

  async setMany(entries: Array<{ key: string; analysis: FileAnalysis }>, ttlSeconds: number): Promise<void> {
    for (let i = 0; i < entries.length; i += 500) {
      const pipeline = this.redis.client.pipeline();
      for (const { key, analysis } of entries.slice(i, i + 500)) {
        pipeline.set(this.redis.key('planner', 'file-analysis', key), JSON.stringify(analysis), 'EX', Math.max(1, Math.round(ttlSeconds)));
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    }
  }
}
