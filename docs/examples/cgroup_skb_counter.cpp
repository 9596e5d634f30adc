// SPDX-License-Identifier: MIT
// The seed example: count the packets entering and leaving a cgroup with two cgroup_skb programs.
//
// It loads bpf-progs/cgroup_skb_counter.bpf.c, creates a cgroup, attaches the ingress and egress programs to it,
// moves itself into the cgroup, sends UDP packets to itself over loopback, and prints the counts the programs
// wrote into their map. Run as root: ./cgroup_skb_counter [path/to/cgroup_skb_counter.bpf.o]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <ebpf/ebpf.hpp>

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "cgroup_skb_counter.bpf.o"
#endif

namespace {

int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "cgroup_skb_counter: %s: %.*s\n", what, static_cast<int>(e.message().size()),
                 e.message().data());
    return 1;
}

// Where cgroup v2 is mounted: /sys/fs/cgroup on unified systems, /sys/fs/cgroup/unified on hybrid ones.
std::string cgroup2_root() {
    // Each line is "device mountpoint fstype options 0 0"; mount points with spaces are octal-escaped.
    std::FILE* f = std::fopen("/proc/self/mounts", "re");
    char line[1024];
    std::string root;
    while (f && root.empty() && std::fgets(line, sizeof line, f)) {
        const char* dir = std::strchr(line, ' ');
        const char* type = dir ? std::strchr(dir + 1, ' ') : nullptr;
        if (type && std::strncmp(type + 1, "cgroup2 ", 8) == 0) root.assign(dir + 1, type);
    }
    if (f) std::fclose(f);
    if (root.empty()) {
        // No cgroup2 mounted (e.g. a minimal VM): mount one of our own.
        root = "/run/ebpf-cxx-cgroup2";
        ::mkdir(root.c_str(), 0755);
        if (::mount("none", root.c_str(), "cgroup2", 0, nullptr) != 0) return {};
    }
    return root;
}

bool write_file(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    const bool ok = std::fputs(text.c_str(), f) >= 0;
    return std::fclose(f) == 0 && ok;
}

// Sends `n` UDP datagrams from one socket to another over loopback and receives them.
bool ping_loopback(int n) {
    const int rx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bool ok = rx >= 0 && tx >= 0 && ::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              ::getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    char buf[64] = "hello from ebpf-cxx";
    for (int i = 0; ok && i < n; ++i) {
        ok = ::sendto(tx, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == sizeof buf &&
             ::recv(rx, buf, sizeof buf, 0) == sizeof buf;
    }
    if (rx >= 0) ::close(rx);
    if (tx >= 0) ::close(tx);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT;

    // Load the object: its map is created now, its programs when we call load().
    auto obj = ebpf::Object::load_file(path);
    if (!obj) return die("load object", obj.error());

    auto ingress = obj->program<ebpf::CgroupSkb>("ingress_filter");
    if (!ingress) return die("find ingress_filter", ingress.error());
    auto egress = obj->program<ebpf::CgroupSkb>("egress_filter");
    if (!egress) return die("find egress_filter", egress.error());
    if (auto r = ingress->load(); !r) return die("load ingress_filter", r.error());
    if (auto r = egress->load(); !r) return die("load egress_filter", r.error());

    // A cgroup of our own, so only this process's traffic is counted.
    const std::string root = cgroup2_root();
    if (root.empty()) return std::fprintf(stderr, "cgroup_skb_counter: no cgroup v2 hierarchy\n"), 1;
    const std::string cgroup = root + "/ebpf-cxx-demo-" + std::to_string(::getpid());
    if (::mkdir(cgroup.c_str(), 0755) != 0) return std::perror(cgroup.c_str()), 1;

    int status = 0;
    {
        // The links detach when they go out of scope, before the cgroup is removed.
        auto in_link = ingress->attach(cgroup.c_str(), ebpf::CgroupSkbAttachType::Ingress);
        auto out_link = egress->attach(cgroup.c_str(), ebpf::CgroupSkbAttachType::Egress);
        if (!in_link) status = die("attach ingress", in_link.error());
        else if (!out_link) status = die("attach egress", out_link.error());
        else if (!write_file(cgroup + "/cgroup.procs", std::to_string(::getpid())))
            status = (std::perror("join cgroup"), 1);
        else if (!ping_loopback(10))
            status = (std::perror("send over loopback"), 1);
        write_file(root + "/cgroup.procs", std::to_string(::getpid()));  // leave the cgroup again
    }
    ::rmdir(cgroup.c_str());
    if (status) return status;

    auto counts = obj->map<ebpf::Array<std::uint64_t>>("counts");
    if (!counts) return die("open map counts", counts.error());
    auto in = counts->get(0);
    auto out = counts->get(1);
    if (!in || !out) return die("read counts", in ? out.error() : in.error());
    std::printf("ingress packets: %llu\n", static_cast<unsigned long long>(*in));
    std::printf("egress packets: %llu\n", static_cast<unsigned long long>(*out));
    return 0;
}
