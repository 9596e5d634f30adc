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
    case Errc::Busy: return "busy";
    case Errc::WouldBlock: return "would block";
    case Errc::NoDevice: return "no such device";
    case Errc::Canceled: return "canceled";
    }
    return "unknown error";
}

Error::Error(Errc code, std::string message) : p_(new Payload{}) {
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
    case EBUSY: return Errc::Busy;
    case EAGAIN: return Errc::WouldBlock;
    case ENODEV:
    case ENXIO: return Errc::NoDevice;
    case ECANCELED: return Errc::Canceled;
    default: return Errc::Syscall;
    }
}

// The text of an errno, from our own table: strerror() may use a shared buffer for unknown values (not
// thread-safe), and libcs word their messages differently. Texts follow glibc's.
const char* errno_text(int err) noexcept {
    switch (err) {
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file or directory";
    case ESRCH: return "No such process";
    case EINTR: return "Interrupted system call";
    case EIO: return "Input/output error";
    case ENXIO: return "No such device or address";
    case E2BIG: return "Argument list too long";
    case ENOEXEC: return "Exec format error";
    case EBADF: return "Bad file descriptor";
    case EAGAIN: return "Resource temporarily unavailable";
    case ENOMEM: return "Cannot allocate memory";
    case EACCES: return "Permission denied";
    case EFAULT: return "Bad address";
    case EBUSY: return "Device or resource busy";
    case EEXIST: return "File exists";
    case EXDEV: return "Invalid cross-device link";
    case ENODEV: return "No such device";
    case ENOTDIR: return "Not a directory";
    case EISDIR: return "Is a directory";
    case EINVAL: return "Invalid argument";
    case ENFILE: return "Too many open files in system";
    case EMFILE: return "Too many open files";
    case ENOTTY: return "Inappropriate ioctl for device";
    case EFBIG: return "File too large";
    case ENOSPC: return "No space left on device";
    case EROFS: return "Read-only file system";
    case EPIPE: return "Broken pipe";
    case ERANGE: return "Numerical result out of range";
    case EDEADLK: return "Resource deadlock avoided";
    case ENAMETOOLONG: return "File name too long";
    case ENOSYS: return "Function not implemented";
    case ENOTEMPTY: return "Directory not empty";
    case ELOOP: return "Too many levels of symbolic links";
    case ENODATA: return "No data available";
    case EOVERFLOW: return "Value too large for defined data type";
    case EBADFD: return "File descriptor in bad state";
    case ENOTSOCK: return "Socket operation on non-socket";
    case EMSGSIZE: return "Message too long";
    case EPROTONOSUPPORT: return "Protocol not supported";
    case EOPNOTSUPP: return "Operation not supported";
    case EAFNOSUPPORT: return "Address family not supported by protocol";
    case EADDRINUSE: return "Address already in use";
    case EADDRNOTAVAIL: return "Cannot assign requested address";
    case ENETDOWN: return "Network is down";
    case ENETUNREACH: return "Network is unreachable";
    case ENOBUFS: return "No buffer space available";
    case ENOTCONN: return "Transport endpoint is not connected";
    case ETIMEDOUT: return "Connection timed out";
    case ECONNREFUSED: return "Connection refused";
    case EALREADY: return "Operation already in progress";
    case EINPROGRESS: return "Operation now in progress";
    case ECANCELED: return "Operation canceled";
    case EPROTO: return "Protocol error";
    case EBADMSG: return "Bad message";
    case 524: return "Operation not supported by the kernel (ENOTSUPP)";  // kernel-internal, leaks to user space
    default: return nullptr;
    }
}
}  // namespace

Error Error::from_errno(int err, std::string_view call) {
    const char* text = errno_text(err);
    Error e(classify_errno(err), text ? detail::format("%.*s: %s (errno %d)", EBPF_SV(call), text, err)
                                      : detail::format("%.*s: errno %d", EBPF_SV(call), err));
    e.p_->sys_errno = err;
    return e;
}

Error::Error(const Error& other) : p_(other.p_ ? new Payload(*other.p_) : nullptr) {}
Error& Error::operator=(const Error& other) {
    if (this != &other) p_.reset(other.p_ ? new Payload(*other.p_) : nullptr);
    return *this;
}
void Error::DeletePayload::operator()(Payload* p) const noexcept { delete p; }

// A moved-from Error has no payload; it answers like this instead of crashing.
Errc Error::code() const noexcept { return p_ ? p_->code : Errc::InvalidArgument; }
int Error::sys_errno() const noexcept { return p_ ? p_->sys_errno : 0; }
std::string_view Error::message() const noexcept { return p_ ? std::string_view(p_->message) : "(moved-from error)"; }
std::string_view Error::verifier_log() const noexcept { return p_ ? std::string_view(p_->verifier_log) : ""; }

// Mutators give a moved-from Error a payload again, so it can be reused.
Error::Payload& Error::payload() {
    if (!p_) {
        p_.reset(new Payload{});
        p_->code = Errc::InvalidArgument;
        p_->message = "(moved-from error)";
    }
    return *p_;
}

Error& Error::context(std::string_view what) & {
    payload();
    std::string m;
    m.reserve(what.size() + 2 + p_->message.size());
    m.append(what).append(": ").append(p_->message);
    p_->message = std::move(m);
    return *this;
}
Error&& Error::context(std::string_view what) && { return std::move(context(what)); }
Error& Error::set_verifier_log(std::string log) & {
    payload().verifier_log = std::move(log);
    return *this;
}
Error&& Error::set_verifier_log(std::string log) && { return std::move(set_verifier_log(std::move(log))); }

Error& Error::recode(Errc code) & {
    payload().code = code;
    return *this;
}
Error& Error::append(std::string_view text) & {
    payload().message.append(text);
    return *this;
}

void detail_bad_result_access(const Error& err) noexcept {
    // A contract violation (value() on an error): the only place the library writes to stderr, right before abort.
    std::fprintf(stderr, "ebpf-cxx: value() called on an error result: %.*s\n", static_cast<int>(err.message().size()),
                 err.message().data());
    std::abort();
}

}  // namespace ebpf
