import { describe, expect, it } from 'vitest';
import { limitNesting, nestingDepth } from './limit-html-nesting.ts';

describe('limitNesting', () => {
  it('leaves ordinary pages byte for byte unchanged', () => {
    const html = '<!doctype html><html><head><meta charset="utf-8"><title>T</title></head><body><div><p>Ein <b>Satz</b>.<br></p><img src="a.png"/></div></body></html>';
    expect(nestingDepth(html)).toBe(5); // html > body > div > p > b
    expect(limitNesting(html, 10)).toBe(html);
  });

  it('ignores tags inside scripts, styles and comments', () => {
    const html = '<div><script>const s = "<div><div><div>";</script><!-- <div><div> --><style>a::before{content:"<p>"}</style><p>Text</p></div>';
    expect(nestingDepth(html)).toBe(2);
  });

  it('strips the tags of elements deeper than the limit and keeps their text', () => {
    const html = `<body>${'<div>'.repeat(50)}<p>Tief <i>unten</i>.</p>${'</div>'.repeat(50)}<p>Danach.</p></body>`;
    const limited = limitNesting(html, 10);
    expect(nestingDepth(limited)).toBeLessThanOrEqual(10);
    expect(limited.replace(/<[^>]+>/g, '')).toBe('Tief unten.Danach.');
    expect(limited).toContain('<p>Danach.</p></body>');
  });
});
