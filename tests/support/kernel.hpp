// SPDX-License-Identifier: MIT
// Helpers for tests that need the running kernel: privilege checks, bpffs, cgroups and test objects.
#pragma once

#include <optional>
#include <string>

namespace ebpf::test {

// Why the kernel suites cannot run here (not root, no bpf()), or nullopt when they can.
std::optional<std::string> kernel_suite_unavailable();

// Mounts bpffs at /sys/fs/bpf if nothing is mounted there; returns a fresh empty directory in it.
// The directory is removed (with its pins) by the destructor.
class BpffsDir {
public:
    BpffsDir();
    ~BpffsDir();
    BpffsDir(const BpffsDir&) = delete;
    BpffsDir& operator=(const BpffsDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// A new cgroup v2 directory (under the cgroup2 mount, mounting one if needed); removed by the destructor,
// after moving this process back to the parent if it joined.
class TempCgroup {
public:
    TempCgroup();
    ~TempCgroup();
    TempCgroup(const TempCgroup&) = delete;
    TempCgroup& operator=(const TempCgroup&) = delete;
    const std::string& path() const { return path_; }
    bool join();  // moves this process into the cgroup
    void leave();

private:
    std::string root_, path_;
    bool joined_ = false;
};

// Sends and receives `n` UDP datagrams over loopback; false on any failure.
bool udp_ping_loopback(int n);


}  // namespace ebpf::test
