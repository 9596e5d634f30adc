// SPDX-License-Identifier: MIT
// Helpers for tests that need the running kernel: privilege checks, bpffs, cgroups and test objects.
#pragma once

#include <cstddef>
#include <cstdint>
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

// A UDP receiver bound to an ephemeral loopback port and a sender; closed by the destructor.
// ok() is false if any socket call failed (errno tells which).
class UdpLoopback {
public:
    UdpLoopback();
    ~UdpLoopback();
    UdpLoopback(const UdpLoopback&) = delete;
    UdpLoopback& operator=(const UdpLoopback&) = delete;
    bool ok() const { return ok_; }
    int rx() const { return rx_; }
    std::uint16_t port() const { return port_; }  // host byte order
    bool send(const void* data, std::size_t n) const;  // one datagram to rx
    long recv(void* data, std::size_t n) const;         // one datagram from rx (blocking)

private:
    int rx_ = -1, tx_ = -1;
    std::uint16_t port_ = 0;
    bool ok_ = false;
};

// Sends and receives `n` UDP datagrams over loopback; false on any failure.
bool udp_ping_loopback(int n);


}  // namespace ebpf::test
