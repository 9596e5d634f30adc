// SPDX-License-Identifier: MIT
// Externs resolved against the running kernel: .kconfig values equal what the kernel config and uname say, typed
// and untyped ksyms, kfunc calls (present and missing weak ones), and precise errors for values that do not fit.
#include <catch2/catch.hpp>

#include <linux/bpf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>

#include <ebpf/ebpf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "support/expect.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::fails_with;

namespace {

// The layouts of the programs' global variables (in and out) in bpf-progs/externs.bpf.c.
struct KconfigOut {
    std::int64_t hz;
    std::uint64_t bpf_syscall, bpf_jit_tristate, nr_cpus, kernel_version, has_bpf_cookie, has_syscall_wrapper;
    std::int64_t missing;
    std::uint64_t modules;
    char localversion[32];
};
struct TypedKsymOut {  // externs_typed.bpf.c
    std::uint32_t cpu;
    std::int32_t rq_cpu, prog_active;
};
struct UntypedKsymOut {
    std::uint64_t schedule_addr, missing_addr;
};
struct KfuncOut {
    std::int32_t pid, tgid;
    std::uint32_t have_task_kfuncs, have_cpumask_kfuncs, have_missing_kfunc;
    std::uint32_t cpumask_weight, cpumask_has_0, cpumask_has_1;
    std::uint32_t rcu_locked;
};

Result<Object> load(const LoadOptions& o = {}, const char* file = "externs.bpf.o") {
    return Object::load_file(test::obj_path(file).c_str(), o);
}

Object must_load(const LoadOptions& o = {}, const char* file = "externs.bpf.o") {
    auto obj = load(o, file);
    if (!obj) FAIL(std::string(obj.error().message()));
    return std::move(*obj);
}

// Runs a program of externs.bpf.o once with `vars` in its global variable `var` (the inputs), then reads `var`
// back (the outputs). Syscall programs where the kernel has them, raw tracepoint programs before 5.14.
template <class T>
void run(Object& obj, const char* prog, const char* var, T& vars) {
    Program* p = obj.find_program(prog);
    REQUIRE(p);
    test::runnable(*p);
    auto l = p->load();
    if (!l) FAIL(std::string(l.error().message()));
    REQUIRE(obj.write_global(var, as_bytes_of(vars)));
    test::run_once(*p);
    REQUIRE(obj.read_global(var, as_writable_bytes_of(vars)));
}

// The kernel config, read without the library (zcat, or the file in /boot). Empty when neither exists.
std::map<std::string, std::string> kernel_config() {
    std::map<std::string, std::string> out;
    std::string text;
    if (std::FILE* f = ::popen("zcat /proc/config.gz 2>/dev/null", "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
        ::pclose(f);
    }
    if (text.empty()) {
        utsname u{};
        ::uname(&u);
        std::ifstream f(std::string("/boot/config-") + u.release);
        text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        const auto eq = line.find('=');
        if (line.rfind("CONFIG_", 0) == 0 && eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

// LINUX_VERSION_CODE as the kernel computes it. Debian kernels report e.g. release "6.1.0-56-cloud-amd64" but are
// version 6.1.192 ("... Debian 6.1.192-2 ..." in uname -v); Ubuntu says it in /proc/version_signature.
std::uint32_t uname_version_code() {
    utsname u{};
    REQUIRE(::uname(&u) == 0);
    unsigned a = 0, b = 0, c = 0;
    std::ifstream sig("/proc/version_signature");
    std::string ubuntu, words;
    if (sig && std::getline(sig, words) && words.rfind(' ') != std::string::npos)
        ubuntu = words.substr(words.rfind(' ') + 1);
    const char* debian = std::strstr(u.version, "Debian ");
    if (!ubuntu.empty()) std::sscanf(ubuntu.c_str(), "%u.%u.%u", &a, &b, &c);
    else if (debian) std::sscanf(debian + 7, "%u.%u.%u", &a, &b, &c);
    else std::sscanf(u.release, "%u.%u.%u", &a, &b, &c);
    return a << 16 | b << 8 | (c > 255 ? 255 : c);
}

// Address and presence of a /proc/kallsyms symbol (root sees real addresses).
std::map<std::string, std::uint64_t> kallsyms(std::initializer_list<std::string> names) {
    std::map<std::string, std::uint64_t> out;
    std::ifstream f("/proc/kallsyms");
    std::string addr, type, name;
    while (f >> addr >> type >> name) {
        std::string rest;
        std::getline(f, rest);  // a module name, if any
        for (const std::string& n : names)
            if (n == name) out[name] = std::stoull(addr, nullptr, 16);
    }
    return out;
}

const btf::Spec& vmlinux() {
    static auto k = KernelBtf::running();
    if (!k) FAIL(std::string(k.error().message()));
    return (*k)->vmlinux();
}

bool vmlinux_has(const char* name, btf::Kind kind) { return static_cast<bool>(vmlinux().find(name, kind)); }

std::uint32_t vmlinux_id(const char* name, btf::Kind kind) {
    auto id = vmlinux().find(name, kind);
    REQUIRE(id);
    return *id;
}

// What externs.bpf.o needs from the kernel, whatever the loader does: programs it can test-run (syscall programs,
// 5.14, or raw tracepoint ones, 5.10).
std::optional<std::string> cannot_load_externs() { return test::cannot_run_syscall_programs(); }

// externs_typed.bpf.o also needs the per-CPU variable 'runqueues' in the kernel's BTF for its strong typed ksym
// (kernels built with a pahole that emits no per-CPU variables, such as Debian's 5.10, have none).
std::optional<std::string> cannot_load_typed_ksyms() {
    if (auto why = cannot_load_externs()) return why;
    if (!vmlinux_has("runqueues", btf::Kind::Var))
        return std::string("the kernel's BTF has no VAR 'runqueues' (no per-CPU variables in its BTF): the strong "
                           "typed ksym of externs_typed.bpf.o cannot resolve");
    return std::nullopt;
}

}  // namespace

TEST_CASE("kconfig externs equal the kernel config, uname and the kernel's features", "[externs]") {
    const auto config = kernel_config();
    if (config.empty()) EBPF_SKIP("no /proc/config.gz and no /boot/config-$(uname -r): nothing to compare with");
    EBPF_SKIP_IF(cannot_load_externs());
    Object obj = must_load();
    KconfigOut o{};
    run(obj, "read_kconfig", "kconfig_out", o);
    REQUIRE(config.count("CONFIG_HZ"));
    CHECK(o.hz == std::stoll(config.at("CONFIG_HZ")));
    CHECK(o.bpf_syscall == (config.at("CONFIG_BPF_SYSCALL") == "y" ? 1u : 0u));
    const std::string jit = config.count("CONFIG_BPF_JIT") ? config.at("CONFIG_BPF_JIT") : "n";
    CHECK(o.bpf_jit_tristate == (jit == "y" ? 1u : jit == "m" ? 2u : 0u));  // TRI_YES, TRI_MODULE, TRI_NO
    CHECK(o.nr_cpus == (config.count("CONFIG_NR_CPUS") ? std::stoull(config.at("CONFIG_NR_CPUS"), nullptr, 0) : 0));
    std::string localversion = config.count("CONFIG_LOCALVERSION") ? config.at("CONFIG_LOCALVERSION") : "\"\"";
    localversion = localversion.substr(1, localversion.size() - 2);  // without the quotes
    CHECK(std::string(o.localversion) == localversion);
    CHECK(o.kernel_version == uname_version_code());
    CHECK(o.missing == 0);  // weak and in no config
    CHECK(o.modules == (config.count("CONFIG_MODULES") && config.at("CONFIG_MODULES") == "y" ? 1u : 0u));
    // bpf_get_attach_cookie() exists since 5.15: its helper id is in the kernel's enum bpf_func_id.
    bool cookie = false;
    if (auto id = vmlinux().find("bpf_func_id", btf::Kind::Enum)) {
        const btf::Type t = vmlinux().type_or_void(*id);
        for (std::uint32_t i = 0; i < t.vlen(); ++i)
            cookie = cookie || t.enumerator(i).name == "BPF_FUNC_get_attach_cookie";
    }
    CHECK(o.has_bpf_cookie == (cookie ? 1u : 0u));
    // Syscalls go through __<arch>_sys_* wrappers when kallsyms lists them. (libbpf 1.1.2 decides this by creating
    // a kprobe, so it answers 0 on kernels without CONFIG_KPROBES, such as this one: the test does not ask libbpf.)
    const auto syms = kallsyms({"__x64_sys_bpf", "__arm64_sys_bpf", "__s390x_sys_bpf", "__riscv_sys_bpf",
                                "__ia32_sys_bpf", "__se_sys_bpf"});
    const bool wrapper = syms.count("__x64_sys_bpf") || syms.count("__arm64_sys_bpf") ||
                         syms.count("__s390x_sys_bpf") || syms.count("__riscv_sys_bpf");
    CHECK(o.has_syscall_wrapper == (wrapper ? 1u : 0u));
}

TEST_CASE("kconfig externs from LoadOptions::kconfig: every type", "[externs]") {
    EBPF_SKIP_IF(cannot_load_externs());
    LoadOptions o;
    o.kconfig = "CONFIG_HZ=1000\n"
                "CONFIG_BPF_SYSCALL=y\n"
                "CONFIG_BPF_JIT=m\n"
                "CONFIG_NR_CPUS=0x40\n"
                "CONFIG_LOCALVERSION=\"-ebpf-cxx\"\n"
                "# CONFIG_MODULES is not set\n";
    Object obj = must_load(o);
    KconfigOut out{};
    run(obj, "read_kconfig", "kconfig_out", out);
    CHECK(out.hz == 1000);
    CHECK(out.bpf_syscall == 1);
    CHECK(out.bpf_jit_tristate == 2);  // TRI_MODULE
    CHECK(out.nr_cpus == 64);
    CHECK(std::string(out.localversion) == "-ebpf-cxx");
    CHECK(out.modules == 0);  // "is not set" is n
    CHECK(out.missing == 0);
    // Not from the text: these come from the running kernel either way.
    CHECK(out.kernel_version == uname_version_code());
}

TEST_CASE("kconfig values that do not fit their extern fail the load, naming it", "[externs]") {
    const std::string base = "CONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=y\n";
    auto with = [&](const std::string& extra) {
        LoadOptions o;
        o.kconfig = base + extra;
        return load(o);
    };
    CHECK(fails_with(with("CONFIG_HZ=99999999999\n"), Errc::Relocation, "'CONFIG_HZ'"));
    CHECK(fails_with(with("CONFIG_HZ=99999999999\n"), Errc::Relocation, "does not fit in 4 bytes"));
    CHECK(fails_with(with("CONFIG_HZ=abc\n"), Errc::Relocation, "'abc' is not an integer"));
    CHECK(fails_with(with("CONFIG_HZ=y\n"), Errc::Relocation, "is a tristate, not a number"));
    CHECK(fails_with(with("CONFIG_HZ=100\nCONFIG_NR_CPUS=-1\n"), Errc::Relocation, "negative value"));
    CHECK(fails_with(with("CONFIG_HZ=100\nCONFIG_LOCALVERSION=\"a string far longer than thirty-two bytes\"\n"),
                     Errc::Relocation, "does not fit in char[32]"));
    LoadOptions bad_bool;
    bad_bool.kconfig = "CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=42\nCONFIG_BPF_JIT=y\n";
    CHECK(fails_with(load(bad_bool), Errc::Relocation, "bool value expected"));
    LoadOptions bad_tristate;
    bad_tristate.kconfig = "CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=5\n";
    CHECK(fails_with(load(bad_tristate), Errc::Relocation, "tristate value expected"));
    // A strong extern the config does not have.
    CHECK(fails_with(with(""), Errc::NotFound, "kconfig extern 'CONFIG_HZ' is not in the kernel config"));
}

TEST_CASE("typed ksyms: per-CPU kernel variables by BTF id", "[externs]") {
    EBPF_SKIP_IF(cannot_load_typed_ksyms());
    Object obj = must_load({}, "externs_typed.bpf.o");
    Program* p = obj.find_program("read_typed_ksyms");
    REQUIRE(p);
    test::runnable(*p);
    // The references are BTF ids of the kernel's VARs (ld_imm64 src_reg 3), whatever the kernel then says.
    int btf_refs = 0;
    for (const Instruction& in : p->def().instructions) {
        if (!in.is_ld_imm64() || in.src != kPseudoBtfId) continue;
        CHECK((static_cast<std::uint32_t>(in.imm) == vmlinux_id("runqueues", btf::Kind::Var) ||
               static_cast<std::uint32_t>(in.imm) == vmlinux_id("bpf_prog_active", btf::Kind::Var)));
        ++btf_refs;
    }
    CHECK(btf_refs == 2);
    if (kallsyms({"runqueues"}).empty()) {
        // The kernel finds a typed ksym's address in kallsyms too, which lists data symbols only with
        // CONFIG_KALLSYMS_ALL; without it BPF_PROG_LOAD fails with ENOENT (as it does for libbpf).
        auto r = p->load();
        REQUIRE_FALSE(r);
        CHECK(r.error().sys_errno() == ENOENT);
        CHECK(r.error().verifier_log().find("failed to find the address for kernel symbol 'runqueues'") !=
              std::string_view::npos);
        EBPF_SKIP("'runqueues' is not in /proc/kallsyms (no CONFIG_KALLSYMS_ALL): the kernel cannot resolve typed "
                  "data ksyms, BPF_PROG_LOAD fails with ENOENT as expected");
    }
    TypedKsymOut o{};
    o.cpu = 0;
    run(obj, "read_typed_ksyms", "typed_ksym_out", o);
    CHECK(o.rq_cpu == 0);  // runqueues[0].cpu
    CHECK(o.prog_active >= 0);
}

TEST_CASE("untyped ksyms: kallsyms addresses, 0 for a missing weak one", "[externs]") {
    EBPF_SKIP_IF(cannot_load_externs());
    const auto syms = kallsyms({"schedule"});
    REQUIRE(syms.count("schedule"));
    Object obj = must_load();
    UntypedKsymOut o{};
    run(obj, "read_untyped_ksyms", "untyped_ksym_out", o);
    CHECK(o.schedule_addr == syms.at("schedule"));
    CHECK(o.missing_addr == 0);
}

TEST_CASE("kfuncs: calls resolved by BTF id, missing weak ones poisoned and skipped", "[externs]") {
    EBPF_SKIP_IF(cannot_load_externs());
    Object obj = must_load();
    Program* p = obj.find_program("call_kfuncs");
    REQUIRE(p);
    const bool task_kfuncs = vmlinux_has("bpf_task_from_pid", btf::Kind::Func) &&
                             vmlinux_has("bpf_task_release", btf::Kind::Func);
    const bool cpumask_kfuncs = vmlinux_has("bpf_cpumask_create", btf::Kind::Func);
    const bool rcu_kfuncs = vmlinux_has("bpf_rcu_read_lock", btf::Kind::Func);
    // Instruction level: the missing kfunc's call is libbpf's poison (2002000000 + extern index), the present
    // ones are kfunc calls by BTF id, and bpf_ksym_exists() of a present kfunc is an ld_imm64 of its BTF id
    // (src_reg 3), of a missing one the constant 0.
    int poisoned_calls = 0, kfunc_calls = 0, ksym_exists_ids = 0, ksym_exists_zero = 0;
    const auto& insns = p->def().instructions;
    for (std::size_t i = 0; i < insns.size(); ++i) {
        const Instruction& in = insns[i];
        if (in.is_call() && in.src == 0 && in.imm >= 2002000000 && in.imm < 2003000000) ++poisoned_calls;
        if (in.is_call() && in.src == kPseudoKfuncCall) ++kfunc_calls;
        if (in.is_ld_imm64() && in.src == kPseudoBtfId) {
            CHECK(vmlinux().type_or_void(static_cast<std::uint32_t>(in.imm)).kind() == btf::Kind::Func);
            ++ksym_exists_ids;
        }
        if (in.is_ld_imm64() && in.src == 0 && in.imm == 0 && i + 1 < insns.size() && insns[i + 1].imm == 0)
            ++ksym_exists_zero;
    }
    CHECK(poisoned_calls >= 1);
    CHECK(ksym_exists_zero >= 1);
    if (task_kfuncs) {
        CHECK(kfunc_calls >= 2);
        CHECK(ksym_exists_ids >= 2);
    }
    KfuncOut o{};
    o.pid = static_cast<std::int32_t>(::getpid());
    run(obj, "call_kfuncs", "kfunc_out", o);
    CHECK(o.have_missing_kfunc == 0);
    CHECK(o.have_task_kfuncs == (task_kfuncs ? 1u : 0u));
    CHECK(o.tgid == (task_kfuncs ? ::getpid() : -1));
    CHECK(o.rcu_locked == (rcu_kfuncs ? 1u : 0u));
    CHECK(o.have_cpumask_kfuncs == (cpumask_kfuncs ? 1u : 0u));
    if (cpumask_kfuncs) {
        CHECK(o.cpumask_weight == 1);
        CHECK(o.cpumask_has_0 == 1);
        CHECK(o.cpumask_has_1 == 0);
    }
}

TEST_CASE("a strong kconfig extern the config lists as \"is not set\" reads as n", "[externs]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // a syscall-section program (support/runnable.hpp)
    const auto config = kernel_config();
    auto obj = Object::load_file(test::obj_path("kconfig_unset.bpf.o").c_str());
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* p = obj->find_program("read_kasan");
    REQUIRE(p);
    test::run_once(*p);
    std::uint64_t kasan = 42;
    REQUIRE(obj->read_global("kasan", as_writable_bytes_of(kasan)));
    // Kconfig's meaning of "# CONFIG_KASAN is not set" (libbpf 1.1.2 refuses the object instead: see
    // tests/compat/parity.py).
    CHECK(kasan == (config.count("CONFIG_KASAN") && config.at("CONFIG_KASAN") == "y" ? 1u : 0u));
}

TEST_CASE("a spec whose parse collected problems is refused by load, naming the first", "[externs]") {
    const auto bytes = test::read_obj("inspect_problems.bpf.o");
    REQUIRE_FALSE(bytes.empty());
    auto spec = ObjectSpec::parse(bytes, {.name = "inspect_problems", .collect_problems = true});
    REQUIRE(spec);
    REQUIRE(spec->problems.size() == 2);
    // Refused before anything is created: no privilege needed.
    auto obj = Object::load(*spec);
    CHECK(fails_with(obj, Errc::MalformedObject, "extern 'something_unresolvable' is not declared in .kconfig"));
    CHECK(fails_with(obj, Errc::MalformedObject, "(and 1 more problems)"));
}
