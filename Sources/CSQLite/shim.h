#ifndef KRING_CSQLITE_SHIM_H
#define KRING_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro Swift cannot import.
static inline sqlite3_destructor_type kring_sqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
