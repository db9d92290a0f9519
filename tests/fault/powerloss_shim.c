/* A power cut in a bottle: an LD_PRELOAD library that keeps, next to each database file, what a disk would
 * still hold if the power went now.
 *
 * SIGKILL alone cannot test durability: the kernel keeps every byte the process wrote, synced or not, so
 * even synchronous=OFF survives it. This shim records, for every file directly inside $POWERLOSS_WATCH
 * (except SQLite's *-shm wal-index, which lives in shared memory and is rebuilt after a crash):
 *
 *   $POWERLOSS_SHADOW/<name>          the file as it was at its last successful fsync/fdatasync (durable);
 *   $POWERLOSS_SHADOW/<name>.pending  every write and truncate since then, in order (may or may not have
 *                                     reached the disk): records of [u64 offset][u32 length][data], a
 *                                     length of 0xffffffff meaning "truncated to offset".
 *
 * After a SIGKILL the test builds a disk from these: the durable copy plus any subset of the pending
 * writes, one of them torn at a 512-byte sector boundary (tests/fault/power_loss.py). A write is logged
 * after it happened and the pending log is emptied before the durable copy is replaced, so a kill in
 * between only ever loses data whose fsync had not returned: nothing acknowledged depends on it.
 *
 * Not modelled: directory entries (a file fsynced once is taken to exist), and mmap writes (SQLite uses
 * none on the database or the WAL with the default mmap_size=0).
 *
 * Build: gcc -shared -fPIC -O2 -o powerloss_shim.so powerloss_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off64_t);

static const char *watch_dir;
static const char *shadow_dir;
static size_t watch_len;

__attribute__((constructor)) static void powerloss_init(void) {
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
    real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
    watch_dir = getenv("POWERLOSS_WATCH");
    shadow_dir = getenv("POWERLOSS_SHADOW");
    watch_len = watch_dir ? strlen(watch_dir) : 0;
}

/* The watched file's name behind `fd` into `name` (NAME_MAX + 1 bytes), or 0 when it is not watched. */
static int watched(int fd, char *name) {
    char link[64], path[PATH_MAX];
    if (!watch_dir || !shadow_dir || fd < 0)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    if (strncmp(path, watch_dir, watch_len) != 0 || path[watch_len] != '/')
        return 0;
    const char *base = path + watch_len + 1;
    size_t len = strlen(base);
    if (strchr(base, '/') || len == 0 || len > NAME_MAX)
        return 0;
    if (len >= 4 && strcmp(base + len - 4, "-shm") == 0)
        return 0;
    memcpy(name, base, len + 1);
    return 1;
}

static void log_pending(const char *name, uint64_t offset, uint32_t length, const void *data) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.pending", shadow_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();  /* a test tool that cannot record must not pretend it did */
    unsigned char header[12];
    memcpy(header, &offset, 8);
    memcpy(header + 8, &length, 4);
    struct iovec parts[2] = {{header, 12}, {(void *)data, length == 0xffffffffu ? 0 : length}};
    size_t want = 12 + parts[1].iov_len;
    if (writev(fd, parts, 2) != (ssize_t)want)
        abort();
    close(fd);
}

/* The file is durable as it is now: empty the pending log, then replace the durable copy atomically. */
static void make_durable(int fd, const char *name) {
    char pending[PATH_MAX], durable[PATH_MAX], partial[PATH_MAX];
    snprintf(pending, sizeof pending, "%s/%s.pending", shadow_dir, name);
    snprintf(durable, sizeof durable, "%s/%s", shadow_dir, name);
    snprintf(partial, sizeof partial, "%s/%s.partial", shadow_dir, name);
    int cleared = open(pending, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (cleared < 0)
        abort();
    close(cleared);
    int out = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        abort();
    static char buffer[1 << 16];
    off_t at = 0;
    for (;;) {
        ssize_t got = pread(fd, buffer, sizeof buffer, at);
        if (got < 0)
            abort();
        if (got == 0)
            break;
        if (real_write(out, buffer, (size_t)got) != got)
            abort();
        at += got;
    }
    close(out);
    if (rename(partial, durable) != 0)
        abort();
}

ssize_t write(int fd, const void *data, size_t length) {
    char name[NAME_MAX + 1];
    if (!watched(fd, name))
        return real_write(fd, data, length);
    off_t at = lseek(fd, 0, SEEK_CUR);
    ssize_t done = real_write(fd, data, length);
    if (done > 0 && at >= 0)
        log_pending(name, (uint64_t)at, (uint32_t)done, data);
    return done;
}

ssize_t pwrite(int fd, const void *data, size_t length, off_t offset) {
    char name[NAME_MAX + 1];
    ssize_t done = real_pwrite(fd, data, length, offset);
    if (done > 0 && watched(fd, name))
        log_pending(name, (uint64_t)offset, (uint32_t)done, data);
    return done;
}

ssize_t pwrite64(int fd, const void *data, size_t length, off64_t offset) {
    char name[NAME_MAX + 1];
    ssize_t done = real_pwrite64(fd, data, length, offset);
    if (done > 0 && watched(fd, name))
        log_pending(name, (uint64_t)offset, (uint32_t)done, data);
    return done;
}

int ftruncate(int fd, off_t length) {
    char name[NAME_MAX + 1];
    int result = real_ftruncate(fd, length);
    if (result == 0 && watched(fd, name))
        log_pending(name, (uint64_t)length, 0xffffffffu, NULL);
    return result;
}

int ftruncate64(int fd, off64_t length) {
    char name[NAME_MAX + 1];
    int result = real_ftruncate64(fd, length);
    if (result == 0 && watched(fd, name))
        log_pending(name, (uint64_t)length, 0xffffffffu, NULL);
    return result;
}

int fsync(int fd) {
    char name[NAME_MAX + 1];
    int result = real_fsync(fd);
    if (result == 0 && watched(fd, name))
        make_durable(fd, name);
    return result;
}

int fdatasync(int fd) {
    char name[NAME_MAX + 1];
    int result = real_fdatasync(fd);
    if (result == 0 && watched(fd, name))
        make_durable(fd, name);
    return result;
}
