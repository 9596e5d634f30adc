// SPDX-License-Identifier: MIT
// ebpf-tool: inspect eBPF objects and load them into the running kernel.
#include <cstdio>
#include <span>
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
    "  btf dump [options] FILE          raw BTF or an ELF file's .BTF as a C header (vmlinux.h), raw lines or JSON\n"
    "      --format c|raw|json          c (default), raw (bpftool's `format raw` lines) or a JSON array of the types\n"
    "      --base FILE                  FILE is split BTF on this base (a module's BTF on vmlinux's)\n"
    "      --kernel                     the running kernel's BTF (/sys/kernel/btf/vmlinux) instead of FILE\n"
    "      --module NAME                a module's BTF (/sys/kernel/btf/NAME, split on vmlinux) instead of FILE\n"
    "      --root-type NAME             only this type (c: and what it uses; repeatable; \"struct x\", \"x\", ...)\n"
    "      --guard NAME                 header guard (default __EBPF_CXX_BTF_H__)\n"
    "      --no-preserve-access-index   no #pragma clang attribute for CO-RE\n"
    "  btf list|show ID [--json]        BTF objects loaded in the kernel: id, name, size, kernel or not\n"
    "  prog list|show ID [--json]       programs loaded in the kernel: id, type, name, tag, load time, uid, sizes,\n"
    "                                   map ids, BTF id, run_cnt/run_time_ns (when kernel.bpf_stats_enabled)\n"
    "  map list|show ID [--json]        maps loaded in the kernel: id, type, name, flags, sizes, BTF ids\n"
    "  map dump [--json] ID|--pin PATH|--name NAME\n"
    "                                   every entry of a map, keys and values formatted by the map's BTF\n"
    "  link OUT.o IN.o... [--no-dedup] statically link BPF objects into one (like bpftool gen object): sections\n"
    "                                   merged, symbols resolved, .BTF merged and deduplicated, .BTF.ext rebased\n"
    "  link list|show ID [--json]       bpf_links: id, type, program id and attach info (target, cgroup, ifindex, ...)\n"
    "  gen object OUT.o IN.o...         the same as link OUT.o IN.o...\n"
    "  gen skeleton OBJECT [--name NAME] [-o HEADER]\n"
    "                                   a typed C++ header embedding OBJECT (docs/ebpf-tool.md); stdout without -o\n"
    "      --name NAME                  class NAME in namespace NAME_skel (default: the file name up to its first .)\n"
    "      -o HEADER                    write HEADER atomically (a temporary file renamed)\n"
    "  features [--json] [--helpers]    what the running kernel supports: program types, map types, bpf_link\n"
    "                                   attach types and features, probed (as bpftool feature probe); needs root\n"
    "      --helpers                    also the helpers of each program type (about 6,700 more program loads\n"
    "                                   and thousands of names; not by default)\n"
    "      EBPF_CXX_PROBE_OVERRIDE=KEY=0|1,...  forces answers (testing aid; docs/features.md)\n"
    "  dump-insns [--target-btf FILE] OBJECT...\n"
    "                                   diagnostic: each program's relocated instructions as JSON lines (tests/compat)\n"
    "\n"
    "`ebpf-tool COMMAND [SUBCOMMAND] --help` shows one command. Exit status: 0 success, 1 failure (one line\n"
    "on stderr: ebpf-tool: ...), 2 usage error (one line on stderr)\n";

// The blocks of kUsage for one command: its lines that start with "  COMMAND" and the more indented lines under
// them. With `sub`, only the blocks whose second word names it ("list|show" names show).
std::string command_usage(std::string_view cmd, std::string_view sub, bool& has_subcommands) {
    std::string out;
    bool in_block = false;
    has_subcommands = false;
    std::string_view text = kUsage;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
        text.remove_prefix(line.size());
        if (line.starts_with("  ") && line.size() > 2 && line[2] != ' ') {
            std::string_view words = line.substr(2);
            const std::string_view first = words.substr(0, words.find_first_of(" \n"));
            in_block = first == cmd;
            if (!in_block) continue;
            words.remove_prefix(first.size());
            while (words.starts_with(" ")) words.remove_prefix(1);
            const std::string_view second = words.substr(0, words.find_first_of(" \n"));
            const bool is_sub = !second.empty() && second.find_first_not_of("abcdefghijklmnopqrstuvwxyz|-") ==
                                                       std::string_view::npos;
            has_subcommands = has_subcommands || is_sub;
            if (!sub.empty() && is_sub) {
                bool named = false;
                for (std::size_t at = 0; at <= second.size();) {
                    const std::size_t bar = second.find('|', at);
                    named = named || second.substr(at, bar - at) == sub;
                    if (bar == std::string_view::npos) break;
                    at = bar + 1;
                }
                in_block = named;
            }
        } else if (!line.starts_with("   ")) {
            in_block = false;
        }
        if (in_block) out += line;
    }
    return out;
}

// `ebpf-tool COMMAND [SUBCOMMAND] ... --help`: the command's part of the usage, on stdout.
int command_help(std::string_view cmd, std::span<const std::string_view> rest) {
    const std::string_view sub = !rest.empty() && !rest[0].starts_with("-") ? rest[0] : std::string_view();
    bool has_subcommands = false;
    std::string text = command_usage(cmd, sub, has_subcommands);
    if (!has_subcommands && !sub.empty()) text = command_usage(cmd, {}, has_subcommands);  // sub was an operand
    if (text.empty() && !sub.empty())
        return usage_error(std::string(cmd) + ": unknown subcommand '" + std::string(sub) + "'");
    if (text.empty()) return usage_error("unknown command '" + std::string(cmd) + "'");
    std::printf("usage: ebpf-tool %.*s%s%.*s\n%s\nexit status: 0 success, 1 failure (one line on stderr), 2 usage "
                "error\n",
                static_cast<int>(cmd.size()), cmd.data(), has_subcommands && !sub.empty() ? " " : "",
                static_cast<int>(has_subcommands ? sub.size() : 0), sub.data(), text.c_str());
    return std::fflush(stdout) == 0 ? kExitOk : kExitFail;
}

}  // namespace

int fail(std::string_view msg) {
    std::fprintf(stderr, "ebpf-tool: %.*s\n", static_cast<int>(msg.size()), msg.data());
    return kExitFail;
}

int usage_error(std::string_view msg) {
    // One line, with where to read more: messages start with the command they are about ("btf dump: ...").
    const std::size_t colon = msg.find(':');
    const std::string_view what = colon == std::string_view::npos ? std::string_view() : msg.substr(0, colon);
    const bool command = !what.empty() && what.find_first_not_of("abcdefghijklmnopqrstuvwxyz -") == std::string_view::npos;
    std::fprintf(stderr, "ebpf-tool: %.*s (see 'ebpf-tool %.*s%s--help')\n", static_cast<int>(msg.size()), msg.data(),
                 static_cast<int>(command ? what.size() : 0), what.data(), command ? " " : "");
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
    // --help anywhere after a command shows that command's usage; run has its own, longer one.
    for (std::string_view a : rest)
        if ((a == "-h" || a == "--help") && cmd != "run") return command_help(cmd, rest);
    if (cmd == "inspect") return cmd_inspect(rest);
    if (cmd == "load") return cmd_load(rest);
    if (cmd == "bench") return cmd_bench(rest);
    if (cmd == "btf") return cmd_btf(rest);
    if (cmd == "dump-insns") return cmd_dump_insns(rest);
    if (cmd == "features") return cmd_features(rest);
    if (cmd == "prog") return cmd_prog(rest);
    if (cmd == "map") return cmd_map(rest);
    if (cmd == "link") {
        // `link list|show` lists kernel bpf_links; anything else links object files.
        if (!rest.empty() && (rest[0] == "list" || rest[0] == "show")) return cmd_link(rest);
        return cmd_link_objects(rest);
    }
    if (cmd == "gen") return cmd_gen(rest);
    if (cmd == "run") return cmd_run(rest);
    return usage_error("unknown command '" + std::string(cmd) + "'");
}
