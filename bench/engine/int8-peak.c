/*
 * The CPU's int8 dot-product peak, to judge how close the GPTQ engine's prefill comes to it
 * (bench/engine/int8-peak.sh runs it; bench/results/engine-int8-peak.json).
 *
 * Twelve independent VPDPBUSD chains on 512-bit registers: each instruction does 64 int8
 * multiply-adds (counted as 2 operations each, as GEMM FLOP counts do), and twelve chains hide the
 * instruction's latency. MatMulNBits at accuracy level 4 and llama.cpp's Q4_0 both end in this
 * instruction on AVX-512 VNNI machines, so nothing int8 on the CPU runs faster than this.
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  const __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
  __m512i acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_si512();
  const long iterations = 200000000;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long n = 0; n < iterations; n++) {
    for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  const double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  long check = 0;
  for (int i = 0; i < 12; i++) check += _mm512_reduce_add_epi32(acc[i]);
  const double operations = (double)iterations * 12 * 64 * 2;
  /* The check keeps the compiler from dropping the loop. */
  printf("{\"gops\": %.1f, \"seconds\": %.3f, \"check\": %ld}\n", operations / seconds / 1e9, seconds, check);
  return 0;
}
