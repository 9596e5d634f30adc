// SPDX-License-Identifier: MIT
// Helpers shared by the tracing tests (kprobe, ksyscall, kprobe.multi, fentry/fexit, lsm, iter, perf_event):
// loading an object for this process, reading globals, tracefs kprobe_events, and the skip reasons the probes give.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/objects.hpp"

namespace ebpf::test {

inline LoadOptions for_this_process() {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    return o;
}

inline Object load_object(const char* file, const LoadOptions& o = for_this_process()) {
    auto obj = Object::load_file(obj_path(file).c_str(), o);
    if (!obj) FAIL(std::string(obj.error().message()));
    return std::move(*obj);
}

template <class T = std::uint64_t>
T global(const Object& obj, const char* name) {
    T v{};
    auto r = obj.read_global(name, as_writable_bytes_of(v));
    if (!r) FAIL(std::string(r.error().message()));
    return v;
}

template <class T>
void set_global(Object& obj, const char* name, T v) {
    auto r = obj.write_global(name, as_bytes_of(v));
    if (!r) FAIL(std::string(r.error().message()));
}

inline std::string msg(const Error& e) { return std::string(e.message()); }

// Forces a probe's answer for its lifetime (also when a REQUIRE ends the test case early).
class ForcedProbe {
public:
    ForcedProbe(ProbeKey key, bool answer) : key_(key) { override_probe(key_, answer); }
    ~ForcedProbe() { override_probe(key_, std::nullopt); }
    ForcedProbe(const ForcedProbe&) = delete;
    ForcedProbe& operator=(const ForcedProbe&) = delete;

private:
    ProbeKey key_;
};

// unlink(2) of a path that does not exist: do_unlinkat runs and returns -ENOENT.
inline void unlink_missing(int times) {
    const std::string path = "/tmp/ebpf-cxx-tracing-missing-" + std::to_string(::getpid());
    for (int i = 0; i < times; ++i) REQUIRE(::unlink(path.c_str()) == -1);
}

inline void getppid_n(int times) {
    for (int i = 0; i < times; ++i) (void)::getppid();
}

inline std::string read_whole(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// The content of tracefs kprobe_events ("" when there is none).
inline std::string kprobe_events() {
    for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
        std::ifstream f(std::string(root) + "/kprobe_events");
        if (f) {
            std::stringstream s;
            s << f.rdbuf();
            return s.str();
        }
    }
    return {};
}

// Why kprobes cannot be attached here, from the probes: no kprobe PMU (feature:kprobe_pmu) and no tracefs
// kprobe_events (a kernel without CONFIG_KPROBES, as this project's CI host). nullopt when they can.
inline std::optional<std::string> lacks_kprobes() {
    auto pmu = has(Feature::KprobePmu);
    if (!pmu) return "probe feature:kprobe_pmu failed: " + msg(pmu.error());
    if (*pmu) return std::nullopt;
    for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
        if (::access((std::string(root) + "/kprobe_events").c_str(), F_OK) == 0) return std::nullopt;
    return std::string("no kprobes here: no kprobe PMU (probe feature:kprobe_pmu = false) and no tracefs "
                       "kprobe_events (a kernel without CONFIG_KPROBES)");
}

// Why this kernel refuses a BTF-attached program that failed to load with `e`, if it is the kernel's refusal
// (the probe prog:<type> says the type is not usable here, or the load said EPERM/ENOTSUPP for a type the probe
// accepts: a kernel that refuses trampolines). nullopt: a real failure.
inline std::optional<std::string> kernel_refuses(const Error& e, ProgramType type) {
    auto supported = program_type_supported(type);
    if (supported && !*supported)
        return std::string("probe prog:") + std::string(to_string(type)) +
               " = false (the kernel refuses these programs to this process): " + msg(e);
    if (e.sys_errno() == EPERM || e.sys_errno() == 524 /* ENOTSUPP */ || e.sys_errno() == EOPNOTSUPP)
        return "the kernel refuses this program (" + std::string(to_string(type)) + "): " + msg(e);
    return std::nullopt;
}

// A function of the kernel from /proc/kallsyms: its address, or 0.
inline std::uint64_t kallsyms_address(const std::string& name, const std::string& module = {}) {
    std::ifstream f("/proc/kallsyms");
    std::string line;
    while (std::getline(f, line)) {
        std::istringstream in(line);
        std::string addr, type, sym, mod;
        in >> addr >> type >> sym >> mod;
        if (sym != name) continue;
        if (!module.empty() && mod != "[" + module + "]") continue;
        return std::stoull(addr, nullptr, 16);
    }
    return 0;
}

inline bool module_loaded(const std::string& module) {
    std::ifstream f("/proc/modules");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(module + " ", 0) == 0) return true;
    return false;
}

}  // namespace ebpf::test
