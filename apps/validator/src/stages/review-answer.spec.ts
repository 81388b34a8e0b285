import { describeFinding, parseReview } from './review-answer';

describe('parseReview', () => {
  it('reads a JSON review, fenced or not', () => {
    const answer = '```json\n{"verdict":"request-changes","findings":[{"severity":"major","file":"src/a.ts","line":3,"message":"off by one"}]}\n```';
    const review = parseReview(answer)!;
    expect(review.verdict).toBe('request-changes');
    expect(review.findings.map(describeFinding)).toEqual(['src/a.ts:3 ai-review/major: off by one']);
    expect(parseReview('Sure! {"verdict":"approve"} Hope this helps.')).toEqual({ verdict: 'approve', findings: [] });
  });

  it('refuses anything that is not a review', () => {
    expect(parseReview('Looks good to me')).toBeUndefined();
    expect(parseReview('{"verdict":"lgtm"}')).toBeUndefined();
    expect(parseReview('{"verdict":"approve", "findings": [{"severity":"nit","message":"x"}]}')).toBeUndefined();
  });
});
