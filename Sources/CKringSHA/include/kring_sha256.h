#ifndef KRING_SHA256_H
#define KRING_SHA256_H
#include <stddef.h>
#include <stdint.h>

/// The 64 round constants of FIPS 180-4 §4.2.2 (shared with KringCrypto's Swift compression).
const uint32_t *kring_sha256_k(void);

/// Whether this processor has the SHA extensions (and the SSSE3 and SSE4.1 they need here).
int kring_sha256_hardware(void);

/// Compresses `blocks` 64-byte blocks of `data` into `state` (eight words, FIPS 180-4 order)
/// with the SHA instructions. Only call when `kring_sha256_hardware()` is true.
void kring_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// One compression of the 16 message words `w` (already big-endian decoded) into `state`.
/// Only call when `kring_sha256_hardware()` is true.
void kring_sha256_words(uint32_t state[8], const uint32_t w[16]);

#endif
