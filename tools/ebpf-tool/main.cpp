// SPDX-License-Identifier: MIT
// ebpf-tool: inspect eBPF objects and load them into the running kernel.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"

namespace ebpf::tool {

namespace {
constexpr const char* kUsage =
    "usage: ebpf-tool <command> [options]\n"
    "\n"
    "commands:\n"
    "  inspect [options] OBJECT         programs, maps, globals, externs and BTF of an object file, and what\n"
    "                                   would stop it from loading (`ebpf-tool inspect --help`)\n"
    "      --json                       one JSON object\n"
    "      --disasm                     BPF assembly per program: map/helper/kfunc/function names, source lines\n"
    "      --relocations                map, CO-RE (with access strings) and extern relocations per program\n"
    "      --program NAME               only this program in --disasm/--relocations (repeatable)\n"
    "  load [options] OBJECT            load an object (maps, then programs) without attaching anything\n"
    "      --program NAME               load only this program (repeatable; default: every autoload program)\n"
    "      --log-level N                verifier log level (1, 2 or 4); the log is printed on success too\n"
    "      --pin-root DIR               where maps with LIBBPF_PIN_BY_NAME are pinned (default /sys/fs/bpf)\n"
    "      --target-btf FILE            CO-RE against this BTF instead of /sys/kernel/btf/vmlinux\n"
    "  load --each --json OBJECT...     load every program alone; one JSON line per program:\n"
    "                                   {\"obj\",\"prog\",\"sec\",\"ok\",\"err\",\"us\"} (as libbpf_ref)\n"
    "  run [options] OBJECT             load, attach every program whose section names a target, run until\n"
    "                                   --duration ends or SIGINT/SIGTERM (`ebpf-tool run --help`)\n"
    "      --program NAME               only this program (repeatable)\n"
    "      --set GLOBAL=VALUE           a .rodata/.data/.bss variable, parsed by its BTF type (repeatable)\n"
    "      --duration SECONDS           stop after this long\n"
    "      --events                     count ring buffer and perf buffer records: `events MAP COUNT`\n"
    "      --stats                      BPF_ENABLE_STATS while running: `runs PROGRAM RUN_COUNT`\n"
    "      --dump-maps                  every map's entries at exit, formatted by BTF\n"
    "      --interface NAME, --cgroup PATH  targets for networking and cgroup programs\n"
    "  bench btf [RUNS]                 parse the kernel's BTF and look up 1000 struct names (median of RUNS)\n"
    "  bench ringbuf|perfbuf [options]  consume records a BPF producer wrote (only the consume is timed; median)\n"
    "      --size BYTES                 record size, 1..256 (default 8)\n"
    "      --count N                    records per run (default 100000)\n"
    "      --runs R                     runs (default 15)\n"
    "      --object FILE                producer object (default: the one built in): ringbuf: a `produce` syscall\n"
    "                                   program, an `rb` ring buffer, `rec_size`/`count` in .rodata; perfbuf: a\n"
    "                                   `produce` tracepoint on sys_enter_getppid writing `burst` samples to `pb`\n"
    "  btf dump [options] FILE          a C header (vmlinux.h) from raw BTF or an ELF file's .BTF section\n"
    "      --root-type NAME             only this type and what it uses (repeatable; \"struct x\", \"x\", ...)\n"
    "      --guard NAME                 header guard (default __EBPF_CXX_BTF_H__)\n"
    "      --no-preserve-access-index   no #pragma clang attribute for CO-RE\n"
    "  btf list|show ID [--json]        BTF objects loaded in the kernel: id, name, size, kernel or not\n"
    "  prog list|show ID [--json]       programs loaded in the kernel: id, type, name, tag, load time, uid, sizes,\n"
    "                                   map ids, BTF id, run_cnt/run_time_ns (when kernel.bpf_stats_enabled)\n"
    "  map list|show ID [--json]        maps loaded in the kernel: id, type, name, flags, sizes, BTF ids\n"
    "  map dump [--json] ID|--pin PATH|--name NAME\n"
    "                                   every entry of a map, keys and values formatted by the map's BTF\n"
    "  link list|show ID [--json]       bpf_links: id, type, program id and attach info (target, cgroup, ifindex, ...)\n"
    "  gen skeleton OBJECT [--name NAME] [-o HEADER]\n"
    "                                   a typed C++ header embedding OBJECT (docs/ebpf-tool.md); stdout without -o\n"
    "  features [--json] [--helpers]    what the running kernel supports: program types, map types, bpf_link\n"
    "                                   attach types and features, probed (as bpftool feature probe); needs root\n"
    "      --helpers                    also the helpers of each program type (about 6,700 more program loads\n"
    "                                   and thousands of names; not by default)\n"
    "      EBPF_CXX_PROBE_OVERRIDE=KEY=0|1,...  forces answers (testing aid; docs/features.md)\n"
    "\n"
    "exit status: 0 success, 1 failure (reason on stderr), 2 usage error\n";
}  // namespace

int fail(std::string_view msg) {
    std::fprintf(stderr, "ebpf-tool: %.*s\n", static_cast<int>(msg.size()), msg.data());
    return kExitFail;
}

int usage_error(std::string_view msg) {
    std::fprintf(stderr, "ebpf-tool: %.*s\n\n%s", static_cast<int>(msg.size()), msg.data(), kUsage);
    return kExitUsage;
}

}  // namespace ebpf::tool

int main(int argc, char** argv) {
    using namespace ebpf::tool;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) return usage_error("missing command");
    const std::string_view cmd = args.front();
    const std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }
    if (cmd == "inspect") return cmd_inspect(rest);
    if (cmd == "load") return cmd_load(rest);
    if (cmd == "bench") return cmd_bench(rest);
    if (cmd == "btf") return cmd_btf(rest);
    if (cmd == "dump-insns") return cmd_dump_insns(rest);
    if (cmd == "features") return cmd_features(rest);
    if (cmd == "prog") return cmd_prog(rest);
    if (cmd == "map") return cmd_map(rest);
    if (cmd == "link") return cmd_link(rest);
    if (cmd == "gen") return cmd_gen(rest);
    if (cmd == "run") return cmd_run(rest);
    return usage_error("unknown command '" + std::string(cmd) + "'");
}
