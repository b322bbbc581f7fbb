// The hashes the ledger chains with and the password functions are KringCrypto's; every
// module that imports KringCore sees them as before.
@_exported import KringCrypto
