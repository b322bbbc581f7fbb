#ifndef KRING_CSQLITE_SHIM_H
#define KRING_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro Swift cannot import.
static inline sqlite3_destructor_type kring_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every allocation
/// (SQLite's documentation recommends it for speed). Only before SQLite is first initialised;
/// afterwards it is refused (SQLITE_MISUSE) and changes nothing.
static inline int kring_sqlite_configure(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#endif
