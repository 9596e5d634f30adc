/*
 * Minimal /init for the test VMs started by tools/vm/run.sh.
 *
 * Build (run.sh does this):  zig cc -target <arch>-linux-musl -static -Os -s init.c -o init
 *
 * It mounts the pseudo file systems a BPF test needs, brings up lo, runs the
 * command stored in /vmtest/argv (NUL-separated arguments, written by run.sh)
 * with extra environment from /vmtest/env (NUL-separated NAME=VALUE) and the
 * working directory from /vmtest/cwd, prints
 *     === VM-TEST BEGIN ===
 *     === VM-TEST EXIT <status> ===
 * around it on the console (status: the exit code, or 128+signal), then
 * powers the machine off. run.sh parses the EXIT marker.
 *
 * Before the command it loads the kernel modules named in /vmtest/modules/order
 * (one file name a line, dependencies first, the files next to it; run.sh
 * --kernel-dir puts them there) with finit_module(2), and prints
 *     === VM-TEST MODULES loaded <n> failed <n> ===
 * If /bin/busybox exists (run.sh --busybox), it installs busybox's applets as
 * symlinks (/bin/sh, ...), so a command can be a shell script that triggers
 * hooks (exec, unlink, kill, network traffic in namespaces) as on a host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 4096

static void say(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  for (int off = 0; off < n;) {
    ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    off += (int)w;
  }
}

static void power_off(void) {
  sync();
  reboot(RB_POWER_OFF);
  /* Not reached unless reboot() failed; PID 1 must not exit (kernel panic). */
  say("init: reboot(RB_POWER_OFF) failed: %s\n", strerror(errno));
  for (;;) pause();
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                     const char *data, int required) {
  mkdir(dst, 0755); /* may fail with EEXIST or EPERM (sysfs): the mount tells */
  if (mount(src, dst, type, flags, data) != 0 && errno != EBUSY) {
    say("init: %s: mount %s on %s: %s\n", required ? "error" : "warning", type, dst, strerror(errno));
  }
}

/* Make sure fds 0-2 are open on the console: without /dev/console in the
 * initramfs the kernel starts init with no stdio at all. */
static void setup_console(void) {
  if (fcntl(STDOUT_FILENO, F_GETFD) == 0 && fcntl(STDERR_FILENO, F_GETFD) == 0) return;
  int fd = open("/dev/console", O_RDWR | O_NOCTTY);
  if (fd < 0) return; /* nothing we can do: no way to report it either */
  for (int i = 0; i < 3; i++)
    if (fcntl(i, F_GETFD) != 0) dup2(fd, i);
  if (fd > 2) close(fd);
}

static void ensure_node(const char *path, mode_t mode, unsigned maj, unsigned min) {
  struct stat st;
  if (stat(path, &st) == 0) return;
  if (mknod(path, mode, makedev(maj, min)) != 0)
    say("init: warning: mknod %s: %s\n", path, strerror(errno));
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    say("init: warning: socket(AF_INET): %s\n", strerror(errno));
    return;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    say("init: warning: SIOCGIFFLAGS lo: %s\n", strerror(errno));
  } else {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) say("init: warning: SIOCSIFFLAGS lo: %s\n", strerror(errno));
  }
  close(s);
}

/* Read a whole file; returns a malloc'd buffer (NUL-terminated) or NULL. */
static char *slurp(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  if (!buf) return NULL;
  for (;;) {
    if (n == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) {
        free(buf);
        close(fd);
        return NULL;
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Split a NUL-separated buffer into out[] (NULL-terminated); returns the count. */
static int split_nul(char *buf, size_t len, char **out, int max) {
  int n = 0;
  for (size_t i = 0; i < len && n < max - 1;) {
    out[n++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  out[n] = NULL;
  return n;
}

/* Runs argv (no shell) and waits for it; returns its exit status, or -1. */
static int run_wait(char *const argv[]) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* busybox --install -s: /bin/sh and the other applets as symlinks to /bin/busybox. */
static void install_busybox(void) {
  if (access("/bin/busybox", X_OK) != 0) return;
  mkdir("/sbin", 0755);
  mkdir("/usr", 0755);
  mkdir("/usr/bin", 0755);
  mkdir("/usr/sbin", 0755);
  char *argv[] = {"/bin/busybox", "--install", "-s", NULL};
  int rc = run_wait(argv);
  if (rc != 0) say("init: warning: busybox --install -s exited with %d\n", rc);
}

/* Loads the modules listed in /vmtest/modules/order, in that order. */
static void load_modules(void) {
  size_t len = 0;
  char *list = slurp("/vmtest/modules/order", &len);
  if (!list) return;
  int loaded = 0, failed = 0;
  for (char *line = list, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    if (!*line) continue;
    char path[512];
    snprintf(path, sizeof path, "/vmtest/modules/%s", line);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      say("init: module %s: open: %s\n", line, strerror(errno));
      ++failed;
      continue;
    }
    if (syscall(SYS_finit_module, fd, "", 0) == 0 || errno == EEXIST) {
      ++loaded;
    } else {
      say("init: module %s: finit_module: %s\n", line, strerror(errno));
      ++failed;
    }
    close(fd);
  }
  free(list);
  say("=== VM-TEST MODULES loaded %d failed %d ===\n", loaded, failed);
}

int main(void) {
  setup_console();

  do_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 1);
  ensure_node("/dev/console", S_IFCHR | 0600, 5, 1);
  ensure_node("/dev/null", S_IFCHR | 0666, 1, 3);
  setup_console();

  do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 1);
  do_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 1);
  do_mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700", 1);
  do_mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
  do_mount("debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
  do_mount("securityfs", "/sys/kernel/security", "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
  do_mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
  do_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 0);
  do_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0);
  mkdir("/dev/shm", 01777);
  do_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 0);
  loopback_up();
  install_busybox();
  load_modules();

  struct utsname u;
  if (uname(&u) == 0) say("=== VM-TEST KERNEL %s %s %s ===\n", u.release, u.version, u.machine);
  size_t ulen = 0;
  char *up = slurp("/proc/uptime", &ulen);
  if (up) {
    up[strcspn(up, " ")] = '\0';
    say("init: guest uptime %s s at start of the command\n", up);
    free(up);
  }

  size_t alen = 0, elen = 0, clen = 0;
  char *abuf = slurp("/vmtest/argv", &alen);
  if (!abuf || alen == 0) {
    say("init: no command in /vmtest/argv\n\n=== VM-TEST EXIT 127 ===\n");
    power_off();
  }
  static char *argv[MAX_ARGS], *envp[MAX_ARGS];
  split_nul(abuf, alen, argv, MAX_ARGS);

  int ne = 0;
  envp[ne++] = "PATH=/bin:/sbin:/usr/bin:/usr/sbin";
  envp[ne++] = "HOME=/root";
  envp[ne++] = "EBPF_CXX_VM=1";
  char *ebuf = slurp("/vmtest/env", &elen);
  if (ebuf) ne += split_nul(ebuf, elen, envp + ne, MAX_ARGS - ne);
  envp[ne] = NULL;

  char *cwd = slurp("/vmtest/cwd", &clen);
  mkdir("/root", 0700);

  say("=== VM-TEST BEGIN ===\n");
  pid_t child = fork();
  if (child < 0) {
    say("init: fork: %s\n\n=== VM-TEST EXIT 126 ===\n", strerror(errno));
    power_off();
  }
  if (child == 0) {
    setsid();
    ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    const char *dir = cwd && clen ? cwd : "/";
    if (chdir(dir) != 0) say("init: chdir %s: %s\n", dir, strerror(errno));
    execve(argv[0], argv, envp);
    int e = errno;
    say("init: exec %s: %s\n", argv[0], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }

  /* PID 1 reaps every orphan; stop when our command is done. */
  int status = 0, code = 125;
  for (;;) {
    pid_t p = waitpid(-1, &status, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      say("init: waitpid: %s\n", strerror(errno));
      break;
    }
    if (p != child) continue;
    if (WIFEXITED(status)) code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) code = 128 + WTERMSIG(status);
    break;
  }
  /* The leading newline keeps the marker on its own line after partial output. */
  say("\n=== VM-TEST EXIT %d ===\n", code);
  power_off();
  return 0;
}
