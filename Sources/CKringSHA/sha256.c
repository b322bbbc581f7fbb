// SHA-256 compression with the x86 SHA extensions (FIPS 180-4 §6.2.2, four rounds per
// message group). Kring's own code: the Swift implementation in KringCrypto is the
// reference, and the tests compare the two on the FIPS vectors and on random messages.
// Elsewhere (no x86, or a processor without the extensions) only the round constants are used.
#include "kring_sha256.h"

/// The 64 round constants (FIPS 180-4 §4.2.2), for both compressions: this one and KringCrypto's.
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const uint32_t *kring_sha256_k(void) { return K; }

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

int kring_sha256_hardware(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}

/// The 64 rounds on the message groups `w[0..3]` (four words each, the first word in the
/// lowest lane), the state held as ABEF and CDGH.
__attribute__((target("sha,sse4.1,ssse3")))
static inline void rounds(__m128i *abef, __m128i *cdgh, __m128i w0, __m128i w1, __m128i w2, __m128i w3) {
    __m128i s0 = *abef, s1 = *cdgh;
    __m128i g[4] = {w0, w1, w2, w3};
    for (int i = 0; i < 16; i++) {
        __m128i m;
        if (i < 4) {
            m = g[i];
        } else {
            // W[t] for t = 4i…4i+3: W[t-16] + σ0(W[t-15]) (msg1), + W[t-7] (alignr), + σ1(W[t-2]) (msg2).
            __m128i x = _mm_sha256msg1_epu32(g[i & 3], g[(i + 1) & 3]);
            x = _mm_add_epi32(x, _mm_alignr_epi8(g[(i + 3) & 3], g[(i + 2) & 3], 4));
            m = _mm_sha256msg2_epu32(x, g[(i + 3) & 3]);
            g[i & 3] = m;
        }
        __m128i k = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * i]));
        s1 = _mm_sha256rnds2_epu32(s1, s0, k);
        k = _mm_shuffle_epi32(k, 0x0E);
        s0 = _mm_sha256rnds2_epu32(s0, s1, k);
    }
    *abef = _mm_add_epi32(*abef, s0);
    *cdgh = _mm_add_epi32(*cdgh, s1);
}

__attribute__((target("sha,sse4.1,ssse3")))
static inline void load(const uint32_t state[8], __m128i *abef, __m128i *cdgh) {
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);  // CDAB
    __m128i h = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);  // EFGH
    *abef = _mm_alignr_epi8(t, h, 8);
    *cdgh = _mm_blend_epi16(h, t, 0xF0);
}

__attribute__((target("sha,sse4.1,ssse3")))
static inline void store(uint32_t state[8], __m128i abef, __m128i cdgh) {
    __m128i t = _mm_shuffle_epi32(abef, 0x1B);   // FEBA
    __m128i h = _mm_shuffle_epi32(cdgh, 0xB1);   // DCHG
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(t, h, 0xF0));  // DCBA
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(h, t, 8));     // HGFE
}

__attribute__((target("sha,sse4.1,ssse3")))
void kring_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i abef, cdgh;
    load(state, &abef, &cdgh);
    for (size_t b = 0; b < blocks; b++, data += 64) {
        rounds(&abef, &cdgh,
               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), swap),
               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), swap),
               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), swap),
               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), swap));
    }
    store(state, abef, cdgh);
}

__attribute__((target("sha,sse4.1,ssse3")))
void kring_sha256_words(uint32_t state[8], const uint32_t w[16]) {
    __m128i abef, cdgh;
    load(state, &abef, &cdgh);
    rounds(&abef, &cdgh, _mm_loadu_si128((const __m128i *)&w[0]), _mm_loadu_si128((const __m128i *)&w[4]),
           _mm_loadu_si128((const __m128i *)&w[8]), _mm_loadu_si128((const __m128i *)&w[12]));
    store(state, abef, cdgh);
}

#else

int kring_sha256_hardware(void) { return 0; }
void kring_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) { (void)state; (void)data; (void)blocks; }
void kring_sha256_words(uint32_t state[8], const uint32_t w[16]) { (void)state; (void)w; }

#endif
