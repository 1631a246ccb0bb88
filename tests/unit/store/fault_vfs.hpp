// A fault-injecting SQLite VFS for the store tests, in the spirit of LevelDB's ErrorEnv:
// it passes everything to the default VFS, except that while a fault is armed every
// xWrite (or xSync) fails with the armed result code -- a full disk or a dying device
// as SQLite sees it.
//
// Register it once with register_fault_vfs() and open the store with
// SqliteOptions::vfs = fault_vfs_name. Thread safety: the fault switches are atomics;
// the VFS itself is as thread-safe as the default VFS it wraps.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace buurtlijn::store::testing {

inline constexpr const char* kFaultVfsName = "buurtlijn-fault";

struct FaultSwitches {
  std::atomic<int> write_error{SQLITE_OK};  // SQLITE_OK: writes pass
  std::atomic<int> sync_error{SQLITE_OK};
  std::atomic<int> failed_calls{0};
};

inline FaultSwitches& faults() {
  static FaultSwitches switches;
  return switches;
}

// Disarms every fault when it goes out of scope (also when a test fails halfway).
struct FaultGuard {
  FaultGuard() = default;
  FaultGuard(const FaultGuard&) = delete;
  FaultGuard& operator=(const FaultGuard&) = delete;
  ~FaultGuard() {
    faults().write_error = SQLITE_OK;
    faults().sync_error = SQLITE_OK;
  }
};

namespace fault_vfs_detail {

struct FaultFile {
  sqlite3_file base;   // must come first: SQLite sees this
  sqlite3_file* real;  // the wrapped file, in the same allocation right after this struct
};

inline sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}
inline sqlite3_file* real(sqlite3_file* file) {
  return reinterpret_cast<FaultFile*>(file)->real;
}

inline int x_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
inline int x_read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), buffer, amount, offset);
}
inline int x_write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (const int rc = faults().write_error.load(); rc != SQLITE_OK) {
    ++faults().failed_calls;
    return rc;
  }
  return real(f)->pMethods->xWrite(real(f), buffer, amount, offset);
}
inline int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
inline int x_sync(sqlite3_file* f, int flags) {
  if (const int rc = faults().sync_error.load(); rc != SQLITE_OK) {
    ++faults().failed_calls;
    return rc;
  }
  return real(f)->pMethods->xSync(real(f), flags);
}
inline int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
inline int x_lock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xLock(real(f), level);
}
inline int x_unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
inline int x_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
inline int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
inline int x_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
inline int x_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
inline int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
inline int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
inline void x_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
inline int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
inline int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
inline int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

inline const sqlite3_io_methods io_methods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

inline int x_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                  int* out_flags) {
  auto* fault_file = reinterpret_cast<FaultFile*>(file);
  fault_file->real = reinterpret_cast<sqlite3_file*>(fault_file + 1);
  const int rc = real_vfs(vfs)->xOpen(real_vfs(vfs), name, fault_file->real, flags, out_flags);
  // SQLite calls xClose when pMethods is set, even after a failed open.
  file->pMethods = fault_file->real->pMethods != nullptr ? &io_methods : nullptr;
  return rc;
}
inline int x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
inline int x_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
}
inline int x_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, size, out);
}
inline int x_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return real_vfs(vfs)->xRandomness(real_vfs(vfs), size, out);
}
inline int x_sleep(sqlite3_vfs* vfs, int micros) {
  return real_vfs(vfs)->xSleep(real_vfs(vfs), micros);
}
inline int x_current_time(sqlite3_vfs* vfs, double* out) {
  return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
inline int x_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return real_vfs(vfs)->xGetLastError(real_vfs(vfs), size, out);
}
inline int x_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}

}  // namespace fault_vfs_detail

// Registers the VFS (not as the default). Idempotent.
inline void register_fault_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    namespace d = fault_vfs_detail;
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(d::FaultFile)) + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = kFaultVfsName;
    vfs.pAppData = base;
    vfs.xOpen = d::x_open;
    vfs.xDelete = d::x_delete;
    vfs.xAccess = d::x_access;
    vfs.xFullPathname = d::x_full_pathname;
    vfs.xRandomness = d::x_randomness;
    vfs.xSleep = d::x_sleep;
    vfs.xCurrentTime = d::x_current_time;
    vfs.xGetLastError = d::x_get_last_error;
    vfs.xCurrentTimeInt64 = d::x_current_time_int64;
    if (sqlite3_vfs_register(&vfs, /*makeDflt=*/0) != SQLITE_OK) {
      throw std::runtime_error("test: cannot register the fault VFS");
    }
  });
}

}  // namespace buurtlijn::store::testing
