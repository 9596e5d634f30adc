// SPDX-License-Identifier: MIT
// Counting this process's open file descriptors, to prove tests leak none.
#pragma once

#include <dirent.h>

namespace ebpf::test {

inline int open_fd_count() {
    DIR* d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) ++n;
    closedir(d);
    return n;
}

}  // namespace ebpf::test
