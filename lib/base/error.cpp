// SPDX-License-Identifier: MIT
// Error payload, errno classification and the no-exceptions contract-violation path.
#include <ebpf/error.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/format.hpp"

namespace ebpf {

struct Error::Payload {
    Errc code;
    int sys_errno = 0;
    std::string message;
    std::string verifier_log;
};

std::string_view to_string(Errc code) noexcept {
    switch (code) {
    case Errc::InvalidArgument: return "invalid argument";
    case Errc::NotFound: return "not found";
    case Errc::Exists: return "already exists";
    case Errc::NotSupported: return "not supported";
    case Errc::MalformedElf: return "malformed ELF";
    case Errc::MalformedBtf: return "malformed BTF";
    case Errc::MalformedObject: return "malformed object";
    case Errc::Relocation: return "relocation failed";
    case Errc::Verifier: return "rejected by the verifier";
    case Errc::Permission: return "permission denied";
    case Errc::Incompatible: return "incompatible";
    case Errc::ResourceLimit: return "resource limit";
    case Errc::Io: return "I/O error";
    case Errc::Syscall: return "system call failed";
    }
    return "unknown error";
}

Error::Error(Errc code, std::string message) : p_(std::make_unique<Payload>()) {
    p_->code = code;
    p_->message = std::move(message);
}

namespace {
Errc classify_errno(int err) {
    switch (err) {
    case EPERM:
    case EACCES: return Errc::Permission;
    case ENOENT:
    case ESRCH: return Errc::NotFound;
    case EEXIST: return Errc::Exists;
    case EOPNOTSUPP:
    case ENOSYS:
    case 524 /* ENOTSUPP, kernel-internal but leaks to user space */: return Errc::NotSupported;
    case ENOMEM:
    case E2BIG:
    case EMFILE:
    case ENFILE:
    case ENOSPC: return Errc::ResourceLimit;
    case EINVAL: return Errc::InvalidArgument;
    default: return Errc::Syscall;
    }
}
}  // namespace

Error Error::from_errno(int err, std::string_view call) {
    // ENOTSUPP (524) has no strerror text in libc; name it so users are not left with "Unknown error 524".
    const char* text = err == 524 ? "Operation not supported by the kernel (ENOTSUPP)" : std::strerror(err);
    Error e(classify_errno(err),
            detail::format("%.*s: %s (errno %d)", static_cast<int>(call.size()), call.data(), text, err));
    e.p_->sys_errno = err;
    return e;
}

Error::Error(const Error& other) : p_(std::make_unique<Payload>(*other.p_)) {}
Error& Error::operator=(const Error& other) {
    if (this != &other) p_ = std::make_unique<Payload>(*other.p_);
    return *this;
}
Error::Error(Error&&) noexcept = default;
Error& Error::operator=(Error&&) noexcept = default;
Error::~Error() = default;

Errc Error::code() const noexcept { return p_->code; }
int Error::sys_errno() const noexcept { return p_->sys_errno; }
std::string_view Error::message() const noexcept { return p_->message; }
std::string_view Error::verifier_log() const noexcept { return p_->verifier_log; }

Error& Error::context(std::string_view what) & {
    std::string m;
    m.reserve(what.size() + 2 + p_->message.size());
    m.append(what).append(": ").append(p_->message);
    p_->message = std::move(m);
    return *this;
}
Error&& Error::context(std::string_view what) && { return std::move(context(what)); }
Error& Error::set_verifier_log(std::string log) & {
    p_->verifier_log = std::move(log);
    return *this;
}
Error&& Error::set_verifier_log(std::string log) && { return std::move(set_verifier_log(std::move(log))); }

Error& Error::recode(Errc code) & {
    p_->code = code;
    return *this;
}
Error& Error::append(std::string_view text) & {
    p_->message.append(text);
    return *this;
}

void detail_bad_result_access(const Error& err) noexcept {
    // A contract violation (value() on an error): the only place the library writes to stderr, right before abort.
    std::fprintf(stderr, "ebpf-cxx: value() called on an error result: %.*s\n", static_cast<int>(err.message().size()),
                 err.message().data());
    std::abort();
}

}  // namespace ebpf
