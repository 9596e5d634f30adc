// SPDX-License-Identifier: MIT
#include "support/kernel.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace ebpf::test {

namespace {
constexpr long kBpffsMagic = 0xcafe4a11;

std::string cgroup2_mount() {
    std::ifstream m("/proc/self/mounts");
    std::string dev, dir, type, rest;
    while (m >> dev >> dir >> type && std::getline(m, rest))
        if (type == "cgroup2") return dir;
    const std::string mine = "/run/ebpf-cxx-test-cgroup2";
    ::mkdir(mine.c_str(), 0755);
    if (::mount("none", mine.c_str(), "cgroup2", 0, nullptr) == 0) return mine;
    return {};
}

bool write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
    f.flush();
    return static_cast<bool>(f);
}
}  // namespace

std::optional<std::string> kernel_suite_unavailable() {
    if (::geteuid() != 0) return std::string("kernel tests need root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)");
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    const long fd = ::syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
    if (fd < 0) return std::string("bpf(BPF_MAP_CREATE) fails here: ") + std::strerror(errno);
    ::close(static_cast<int>(fd));
    return std::nullopt;
}

BpffsDir::BpffsDir() {
    struct statfs st {};
    if (::statfs("/sys/fs/bpf", &st) != 0 || st.f_type != kBpffsMagic) {
        ::mkdir("/sys/fs/bpf", 0700);
        ::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr);
    }
    char tmpl[] = "/sys/fs/bpf/ebpf-cxx-test-XXXXXX";
    if (::mkdtemp(tmpl)) path_ = tmpl;
}

BpffsDir::~BpffsDir() {
    if (path_.empty()) return;
    if (DIR* d = ::opendir(path_.c_str())) {
        while (dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) ::unlink((path_ + "/" + e->d_name).c_str());
        ::closedir(d);
    }
    ::rmdir(path_.c_str());
}

TempCgroup::TempCgroup() {
    root_ = cgroup2_mount();
    if (root_.empty()) return;
    static int seq = 0;
    path_ = root_ + "/ebpf-cxx-test-" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
    if (::mkdir(path_.c_str(), 0755) != 0) path_.clear();
}

bool TempCgroup::join() {
    joined_ = !path_.empty() && write_text(path_ + "/cgroup.procs", std::to_string(::getpid()));
    return joined_;
}

void TempCgroup::leave() {
    if (joined_) write_text(root_ + "/cgroup.procs", std::to_string(::getpid()));
    joined_ = false;
}

TempCgroup::~TempCgroup() {
    leave();
    if (!path_.empty()) ::rmdir(path_.c_str());
}

UdpLoopback::UdpLoopback() {
    rx_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    tx_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ok_ = rx_ >= 0 && tx_ >= 0 && ::bind(rx_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::getsockname(rx_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    port_ = ntohs(addr.sin_port);
}

UdpLoopback::~UdpLoopback() {
    if (rx_ >= 0) ::close(rx_);
    if (tx_ >= 0) ::close(tx_);
}

bool UdpLoopback::send(const void* data, std::size_t n) const {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    return ok_ && ::sendto(tx_, data, n, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == static_cast<long>(n);
}

long UdpLoopback::recv(void* data, std::size_t n) const { return ok_ ? ::recv(rx_, data, n, 0) : -1; }

bool udp_ping_loopback(int n) {
    const UdpLoopback udp;
    char buf[32] = "ping";
    bool ok = udp.ok();
    for (int i = 0; ok && i < n; ++i) ok = udp.send(buf, sizeof buf) && udp.recv(buf, sizeof buf) == sizeof buf;
    return ok;
}

}  // namespace ebpf::test
