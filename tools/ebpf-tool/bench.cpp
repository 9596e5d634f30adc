// SPDX-License-Identifier: MIT
// ebpf-tool bench btf: the same measurement as libbpf_btf_bench.c, with ebpf-cxx. Last line:
// "parse_ms=<median> lookup_ns=<mean per lookup> rss_kb=<peak>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "commands.hpp"

namespace ebpf::tool {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Peak RSS of this process image. VmHWM starts afresh at exec, unlike getrusage()'s ru_maxrss, which Linux carries
// over from the image that called exec (a benchmark started from a large parent would report the parent's size).
long peak_rss_kb() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    std::fclose(f);
    return kb;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int bench_btf(int runs) {
    // Choose 1000 distinct struct names spread evenly over the type ids, as the libbpf benchmark does.
    std::vector<std::string> names;
    {
        auto k = KernelBtf::load_running();
        if (!k) return fail(k.error().message());
        const btf::Spec& s = (*k)->vmlinux();
        std::uint32_t named = 0;
        for (btf::TypeId id = 1; id < s.type_count(); ++id) {
            const btf::Type t = s.type_or_void(id);
            named += t.kind() == btf::Kind::Struct && t.name_off() != 0;
        }
        const std::uint32_t step = named / 1000 ? named / 1000 : 1;
        std::uint32_t seen = 0;
        for (btf::TypeId id = 1; id < s.type_count() && names.size() < 1000; ++id) {
            const btf::Type t = s.type_or_void(id);
            if (t.kind() != btf::Kind::Struct || t.name_off() == 0) continue;
            if (seen++ % step == 0) names.emplace_back(t.name());
        }
    }
    std::vector<double> parse, lookup;
    std::uint32_t types = 0;
    for (int r = 0; r < runs; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        auto k = KernelBtf::load_running();
        parse.push_back(ms_since(t0));
        if (!k) return fail(k.error().message());
        types = (*k)->vmlinux().type_count() - 1;
        t0 = std::chrono::steady_clock::now();
        std::size_t found = 0;
        for (const std::string& n : names) found += (*k)->vmlinux().find(n, btf::Kind::Struct).has_value();
        lookup.push_back(ms_since(t0) * 1e6 / static_cast<double>(names.size()));
        if (found != names.size()) std::fprintf(stderr, "found %zu of %zu\n", found, names.size());
    }
    std::printf("types=%u names=%zu runs=%d\n", types, names.size(), runs);
    std::printf("parse_ms=%.3f lookup_ns=%.0f rss_kb=%ld\n", median(parse), median(lookup), peak_rss_kb());
    return kExitOk;
}

}  // namespace

int cmd_bench(std::span<const std::string_view> args) {
    if (args.empty()) return usage_error("bench: missing what to measure (btf, ringbuf, perfbuf)");
    if (args[0] == "ringbuf" || args[0] == "perfbuf") return cmd_bench_events(args[0], args.subspan(1));
    int runs = 15;
    if (args.size() > 2) return usage_error("bench " + std::string(args[0]) + ": unexpected argument '" + std::string(args[2]) + "'");
    if (args.size() > 1 && args[1].starts_with("-"))
        return usage_error("bench " + std::string(args[0]) + ": unknown option '" + std::string(args[1]) + "'");
    if (args.size() > 1) {
        const std::string s(args[1]);
        runs = std::atoi(s.c_str());
        if (runs < 1 || runs > 1000) return usage_error("bench: RUNS must be 1..1000");
    }
    if (args[0] == "btf") return bench_btf(runs);
    return usage_error("bench: unknown benchmark '" + std::string(args[0]) + "'");
}

}  // namespace ebpf::tool
