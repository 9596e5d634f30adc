// SPDX-License-Identifier: MIT
// KSyscall: the system call's kernel function (lib/links/kprobe.cpp decides it by the syscall-wrapper probe),
// then an ordinary kprobe on it.
#include <ebpf/programs/ksyscall.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

Result<std::string> KSyscall::kernel_function(std::string_view syscall) {
    auto f = detail::syscall_function(syscall);
    if (!f) return std::move(f).error().context(format("kernel function of system call '%.*s'", EBPF_SV(syscall)));
    return f;
}

Result<Link> KSyscall::attach(std::string_view syscall, const KSyscallAttachOptions& options) const {
    const bool ret = is_retprobe();
    std::string what = format("attach %s program '%s' to system call %.*s", ret ? "kretsyscall" : "ksyscall",
                              prog_.name().c_str(), EBPF_SV(syscall));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (syscall.empty() || syscall.find_first_of(" \t\n:+/") != std::string_view::npos)
        return Error(Errc::InvalidArgument, what + ": not a system call name");
    EBPF_TRY_ASSIGN(std::string fn, kernel_function(syscall).context(what));
    what += " (kernel function " + fn + ")";
    detail::KprobeTarget t;
    t.function = std::move(fn);
    t.retprobe = ret;
    t.maxactive = options.maxactive;
    t.cookie = options.cookie;
    // A missing system call reads "... system call nope (kernel function __x64_sys_nope): no such kernel function".
    return detail::attach_kprobe(prog_.fd(), t, std::move(what));
}

Result<Link> KSyscall::attach(const KSyscallAttachOptions& options) const {
    if (prog_.attach_target().empty())
        return Error(Errc::InvalidArgument,
                     format("attach ksyscall program '%s': its section '%s' names no system call; use "
                            "SEC(\"ksyscall/<name>\") or attach(name)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(prog_.attach_target(), options);
}

}  // namespace ebpf
