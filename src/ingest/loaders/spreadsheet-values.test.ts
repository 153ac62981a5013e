import { describe, expect, it } from 'vitest';
import { formatIsoDate, formatNumber, formatSerialDate, isDateFormat } from './spreadsheet-values.ts';
import { columnLetters, columnOfReference } from './sheet-table.ts';

describe('spreadsheet values for German readers', () => {
  it('turns serial dates into TT.MM.JJJJ in the 1900 and the 1904 date system', () => {
    expect(formatSerialDate(45728, 'dd.mm.yyyy', false)).toBe('12.03.2025');
    expect(formatSerialDate(44266, 'dd.mm.yyyy', true)).toBe('12.03.2025');
    expect(formatSerialDate(1, 'd/m/yyyy', false)).toBe('01.01.1900');
    expect(formatSerialDate(59, 'dd.mm.yyyy', false)).toBe('28.02.1900');
    expect(formatSerialDate(60, 'dd.mm.yyyy', false)).toBe('29.02.1900');
    expect(formatSerialDate(61, 'dd.mm.yyyy', false)).toBe('01.03.1900');
    expect(formatSerialDate(45728.5, 'dd.mm.yyyy hh:mm', false)).toBe('12.03.2025 12:00');
    expect(formatSerialDate(0.8125, 'h:mm', false)).toBe('19:30');
  });

  it('tells date formats from number formats', () => {
    expect(isDateFormat('dd.mm.yyyy')).toBe(true);
    expect(isDateFormat('[$-407]d. mmmm yyyy;@')).toBe(true);
    expect(isDateFormat('#,##0.00 "€"')).toBe(false);
    expect(isDateFormat('0.00E+00')).toBe(false);
    expect(isDateFormat('General')).toBe(false);
  });

  it('writes numbers with a decimal comma, the format’s decimals, thousands separators, percent and euro', () => {
    expect(formatNumber(0.1 + 0.2, 'General')).toBe('0,3');
    expect(formatNumber(1250000, 'General')).toBe('1250000');
    expect(formatNumber(480000, '#,##0.00 [$€-407]')).toBe('480.000,00 €');
    expect(formatNumber(-87340.254, '#,##0.00')).toBe('-87.340,25');
    expect(formatNumber(0.4166, '0.0%')).toBe('41,7 %');
    expect(formatNumber(12, '0')).toBe('12');
  });

  it('writes ISO dates as TT.MM.JJJJ, with the time when there is one', () => {
    expect(formatIsoDate('2025-03-12')).toBe('12.03.2025');
    expect(formatIsoDate('2025-03-12T00:00:00')).toBe('12.03.2025');
    expect(formatIsoDate('2025-03-12T19:30:00')).toBe('12.03.2025 19:30');
  });

  it('names columns by letters and back', () => {
    expect([0, 25, 26, 16383].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'XFD']);
    expect(['B5', 'XFD1048576', '$AA$3'].map(columnOfReference)).toEqual([1, 16383, 26]);
  });
});
