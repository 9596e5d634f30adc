// SPDX-License-Identifier: MIT
// Helpers of the uprobe and USDT kernel tests (uprobe_test.cpp, usdt_test.cpp): objects with a target pid, map
// slots, forced probe answers, tracefs uprobe_events, and the child process tests/uprobe/target_main.c.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/objects.hpp"

namespace ebpf::test {

inline std::string msg(const Error& e) { return std::string(e.message()); }

// Loads bpf-progs/<file> with target_tgid set (0: every process); FAILs the test case when it cannot.
inline Object load_with_tgid(const char* file, std::uint32_t tgid) {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", tgid));
    auto obj = Object::load_file(obj_path(file).c_str(), o);
    if (!obj) FAIL("load " << file << ": " << obj.error().message());
    return std::move(*obj);
}

inline std::uint64_t slot(const Object& obj, const char* map, std::uint32_t index) {
    const Map* m = obj.find_map(map);
    REQUIRE(m != nullptr);
    std::uint64_t v = 0;
    auto r = m->lookup(as_bytes_of(index), as_writable_bytes_of(v));
    if (!r) FAIL(r.error().message());
    return v;
}

// Forces one probe's answer for its lifetime.
class ForcedProbe {
public:
    ForcedProbe(ProbeKey key, bool answer) : key_(key) { override_probe(key_, answer); }
    ~ForcedProbe() { override_probe(key_, std::nullopt); }
    ForcedProbe(const ForcedProbe&) = delete;
    ForcedProbe& operator=(const ForcedProbe&) = delete;

private:
    ProbeKey key_;
};

// The text of tracefs uprobe_events ("" when there is none).
inline std::string uprobe_events() {
    for (const char* p : {"/sys/kernel/tracing/uprobe_events", "/sys/kernel/debug/tracing/uprobe_events"}) {
        std::ifstream f(p);
        if (!f) continue;
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }
    return {};
}

inline bool uprobe_events_file_exists() {
    return ::access("/sys/kernel/tracing/uprobe_events", F_OK) == 0 ||
           ::access("/sys/kernel/debug/tracing/uprobe_events", F_OK) == 0;
}

// The child process of tests/uprobe/target_main.c (host builds): started, stopped at "ready" until go().
class TargetProcess {
public:
    // Starts `path` with argument `n`; pid() is 0 when it could not start (why() says why).
    TargetProcess(const char* path, int n) {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
            why_ = "pipe failed";
            return;
        }
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            const std::string arg = std::to_string(n);
            ::execl(path, path, arg.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = ::fdopen(out[0], "r");
        if (pid_ < 0 || !from_) {
            why_ = "fork failed";
            pid_ = 0;
            return;
        }
        const std::string first = line();
        if (first != "ready") {
            why_ = "the target said '" + first + "' instead of ready";
            stop();
        }
    }
    ~TargetProcess() { stop(); }
    TargetProcess(const TargetProcess&) = delete;
    TargetProcess& operator=(const TargetProcess&) = delete;

    int pid() const { return pid_; }
    const std::string& why() const { return why_; }
    // Lets it run its calls; returns its last line ("done <sum>") and reaps it.
    std::string go() {
        if (::write(to_, "go\n", 3) != 3) return "write failed";
        const std::string done = line();
        stop();
        return done;
    }

private:
    std::string line() {
        char buf[256];
        if (!from_ || !std::fgets(buf, sizeof buf, from_)) return "";
        std::string s(buf);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        return s;
    }
    void stop() {
        if (to_ >= 0) ::close(to_);
        to_ = -1;
        if (from_) std::fclose(from_);
        from_ = nullptr;
        if (pid_ > 0) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == 0) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
            }
        }
        pid_ = 0;
    }
    int pid_ = 0;
    int to_ = -1;
    FILE* from_ = nullptr;
    std::string why_;
};

#ifdef EBPF_TEST_UPROBE_TARGET
inline constexpr const char* kUprobeTarget = EBPF_TEST_UPROBE_TARGET;
inline constexpr const char* kUprobeTargetLib = EBPF_TEST_UPROBE_TARGET_LIB;
#else
inline constexpr const char* kUprobeTarget = "";
inline constexpr const char* kUprobeTargetLib = "";
#endif

// Why the child-process tests cannot run here, or nullopt.
inline std::optional<std::string> lacks_uprobe_target() {
    if (!*kUprobeTarget)
        return std::string("this build has no uprobe_target child (cross builds, or no <sys/sdt.h>): the VM runs use "
                           "this binary's own functions and probes only");
    if (::access(kUprobeTarget, X_OK) != 0) {
        std::string why = kUprobeTarget;
        why.append(" is not here (a copied test binary)");
        return why;
    }
    return std::nullopt;
}

}  // namespace ebpf::test
