// SPDX-License-Identifier: MIT
// Loader steps that consult the running kernel before anything is created: its BTF, its config and symbols.
#include <cstring>

#include <ebpf/features.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/core.hpp"
#include "features/kernel_info.hpp"
#include "loader/state.hpp"
#include "object/kconfig.hpp"

namespace ebpf::detail {

namespace {

bool needs_running_btf(const ObjectSpec& spec) {
    for (const ExternSpec& e : spec.externs)
        if (e.kind == ExternKind::Ksym && (e.is_func || e.type != 0)) return true;
    for (const ProgramSpec& p : spec.programs)
        if (p.attach_btf && !p.attach_to.empty() && p.type != ProgramType::Ext) return true;
    return false;
}

Result<std::shared_ptr<const KernelBtf>> running_btf() { return KernelBtf::running(); }

// A kernel object named like a ksym/kfunc: the first vmlinux type of `kind`, then each module's.
struct KernelSymbol {
    const btf::Spec* btf = nullptr;
    btf::TypeId id = 0;
    std::string module;  // empty for vmlinux
};

Result<std::optional<KernelSymbol>> find_kernel_type(const KernelBtf& k, std::string_view name, btf::Kind kind) {
    if (auto id = k.vmlinux().find(name, kind)) return std::optional<KernelSymbol>(KernelSymbol{&k.vmlinux(), *id, {}});
    for (const std::string& m : k.module_names()) {
        EBPF_TRY_ASSIGN(const btf::Spec* spec, k.module(m));
        auto id = spec->find(name, kind);
        if (id && *id >= spec->first_id()) return std::optional<KernelSymbol>(KernelSymbol{spec, *id, m});
    }
    return std::optional<KernelSymbol>();
}

Result<void> resolve_kconfig(Object::State& s, const LoadOptions& o) {
    MapSpec* kmap = nullptr;
    for (MapSpec& m : s.spec.maps)
        if (m.kind == MapKind::Kconfig) kmap = &m;
    const btf::Spec& b = *s.spec.btf;
    std::optional<KconfigValues> config;
    for (std::size_t i = 0; i < s.spec.externs.size(); ++i) {
        const ExternSpec& e = s.spec.externs[i];
        if (e.kind != ExternKind::Kconfig) continue;
        if (!kmap || kmap->contents.size() < std::size_t{e.offset} + e.size)
            return Error(Errc::MalformedObject, format("kconfig extern '%s' lies outside the .kconfig map", e.name.c_str()));
        const std::span<std::byte> dst(kmap->contents.data() + e.offset, e.size);
        std::string value;
        const std::string_view n = e.name;
        if (n == "LINUX_KERNEL_VERSION") {
            EBPF_TRY_ASSIGN(const std::uint32_t v, running_kernel_version());
            value = std::to_string(v);
        } else if (n == "LINUX_HAS_BPF_COOKIE" || n == "LINUX_HAS_SYSCALL_WRAPPER") {
            EBPF_TRY_ASSIGN(const bool v, has(n == "LINUX_HAS_BPF_COOKIE" ? Feature::BpfCookie : Feature::SyscallWrapper));
            value = v ? "y" : "n";
        } else if (n.substr(0, 7) == "CONFIG_") {
            if (!config) {
                std::string text;
                if (!o.kconfig.empty()) text = o.kconfig;
                else if (auto t = running_kernel_config()) text = std::move(*t);
                else if (!e.weak) return std::move(t).error().context(format("kconfig extern '%s'", e.name.c_str()));
                EBPF_TRY_ASSIGN(config, parse_kconfig(text));
            }
            auto it = config->find(n);
            if (it == config->end()) {
                if (e.weak) continue;  // stays zero
                return Error(Errc::NotFound, format("kconfig extern '%s' is not in the kernel config (declare it __weak "
                                                    "to default to 0)",
                                                    e.name.c_str()));
            }
            value = it->second;
        } else {
            if (e.weak) continue;
            return Error(Errc::NotSupported, format("unknown kconfig extern '%s' (supported: CONFIG_*, "
                                                    "LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, "
                                                    "LINUX_HAS_SYSCALL_WRAPPER)",
                                                    e.name.c_str()));
        }
        EBPF_TRY(kconfig_encode(b, e, value, dst));
        s.externs[i].resolved = true;
    }
    return {};
}

Result<void> resolve_ksyms(Object::State& s) {
    std::vector<std::string> by_address;
    const btf::Spec& local = *s.spec.btf;
    for (std::size_t i = 0; i < s.spec.externs.size(); ++i) {
        const ExternSpec& e = s.spec.externs[i];
        if (e.kind != ExternKind::Ksym) continue;
        if (!e.is_func && e.type == 0) {
            by_address.push_back(e.name);
            continue;
        }
        if (!s.kernel_btf)
            return Error(Errc::NotSupported, format("ksym '%s' needs the running kernel's BTF", e.name.c_str()));
        const btf::Kind kind = e.is_func ? btf::Kind::Func : btf::Kind::Var;
        EBPF_TRY_ASSIGN(auto sym, find_kernel_type(*s.kernel_btf, e.name, kind));
        auto where = [&] { return format("%s '%s'", e.is_func ? "kfunc" : "ksym", e.name.c_str()); };
        bool compatible = false;
        if (sym) {
            // The declaration must agree with the kernel's type (prototype for kfuncs).
            const btf::TypeId kernel_type = sym->btf->type_or_void(sym->id).type();
            auto ok = btf::core_types_compatible(local, e.type, *sym->btf, kernel_type);
            if (!ok) return std::move(ok).error().context(where());
            compatible = *ok;
            if (!compatible && !e.weak)
                return Error(Errc::Relocation, format("%s: declared as %s, the kernel has %s", where().c_str(),
                                                      local.describe(e.type).c_str(),
                                                      sym->btf->describe(kernel_type).c_str()));
        }
        if (!sym || !compatible) {
            if (e.weak && sym)
                s.warnings.push_back(format("weak %s differs from the kernel's (%s); treated as missing",
                                            where().c_str(), sym->btf->describe(sym->btf->type_or_void(sym->id).type()).c_str()));
            if (e.weak) continue;  // unresolved weak: 0 / poisoned call
            return Error(Errc::NotFound, format("%s is not in the kernel's BTF (vmlinux or modules)", where().c_str()));
        }
        Object::State::ExternValue& v = s.externs[i];
        v.resolved = true;
        v.btf_id = sym->id;
        if (!sym->module.empty()) {
            auto fd = s.kernel_btf->module_fd(sym->module);
            if (!fd) return std::move(fd).error().context(where());
            v.module_btf = *fd;
        }
    }
    if (!by_address.empty()) {
        auto addrs = kallsyms_lookup(by_address);
        if (!addrs) return std::move(addrs).error().context("resolve untyped ksyms");
        for (std::size_t i = 0; i < s.spec.externs.size(); ++i) {
            const ExternSpec& e = s.spec.externs[i];
            if (e.kind != ExternKind::Ksym || e.is_func || e.type != 0) continue;
            auto it = addrs->find(e.name);
            if (it == addrs->end()) {
                if (e.weak) continue;
                return Error(Errc::NotFound, format("ksym '%s' is not in /proc/kallsyms", e.name.c_str()));
            }
            s.externs[i].resolved = true;
            s.externs[i].address = it->second;
        }
    }
    return {};
}

}  // namespace

Result<void> load_kernel_btf(Object::State& s, const LoadOptions& o) {
    bool core = false;
    for (const ProgramSpec& p : s.spec.programs) core = core || !p.core_relocs.empty();
    if (needs_running_btf(s.spec)) {
        EBPF_TRY_ASSIGN(s.kernel_btf, running_btf());
    }
    if (!core) return {};
    if (!o.target_btf.empty()) {
        auto k = KernelBtf::from_file(o.target_btf.c_str());
        if (!k) return std::move(k).error().context("CO-RE target BTF");
        s.core_btf = *k;
    } else {
        if (!s.kernel_btf) {
            auto k = running_btf();
            if (!k) return std::move(k).error().context("CO-RE relocations");
            s.kernel_btf = *k;
        }
        s.core_btf = s.kernel_btf;
    }
    return {};
}

Result<void> resolve_externs(Object::State& s, const LoadOptions& o) {
    s.externs.assign(s.spec.externs.size(), {});
    if (s.spec.externs.empty()) return {};
    if (!s.spec.btf) return Error(Errc::MalformedObject, "externs need the object's BTF");
    EBPF_TRY(resolve_kconfig(s, o));
    return resolve_ksyms(s);
}

Result<void> resolve_kernel_deps(Object::State& s, const LoadOptions& o) {
    EBPF_TRY(load_kernel_btf(s, o));
    EBPF_TRY(resolve_externs(s, o));
    return compute_core(s);
}

}  // namespace ebpf::detail
