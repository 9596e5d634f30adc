// SPDX-License-Identifier: MIT
// Error and Result<T>: how every fallible call in ebpf-cxx reports failure (no exceptions).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ebpf {

// Errc classifies an Error so callers can branch without parsing messages.
enum class Errc : std::uint8_t {
    InvalidArgument,  // the caller passed something unusable (bad name, wrong size, ...)
    NotFound,         // a named program/map/type/symbol/file does not exist
    Exists,           // the target already exists (pin path, attachment)
    NotSupported,     // the running kernel (or this build) lacks the feature
    MalformedElf,     // the object file is not a valid ELF the way we need it
    MalformedBtf,     // .BTF / .BTF.ext / kernel BTF is inconsistent
    MalformedObject,  // a valid ELF whose BPF content is wrong (bad map definition, bad section)
    Relocation,       // a relocation cannot be applied (missing symbol, bad instruction, CO-RE failure)
    Verifier,         // the kernel verifier rejected a program; see verifier_log()
    Permission,       // EPERM/EACCES: missing capability, lockdown, RLIMIT_MEMLOCK on old kernels
    Incompatible,     // an existing kernel object (pinned map) has another shape
    ResourceLimit,    // ENOMEM, E2BIG, EMFILE, ENOSPC ...
    Io,               // reading a file or /proc, /sys failed
    Syscall,          // any other failing system call; see sys_errno()
    Busy,             // EBUSY: the hook already has a program (XDP, TC), or the object is in use
    WouldBlock,       // EAGAIN: nothing to read yet / try again (consumers, non-blocking calls)
    NoDevice,         // ENODEV/ENXIO: no such network interface or device
    Canceled,         // an asynchronous wait ended early: its Poller stopped or went away, its stream or fd was removed
};

// Human-readable name of an Errc ("not found", ...).
std::string_view to_string(Errc code) noexcept;

// Error is one pointer wide. It carries a code, the errno of a failed system call (0 if none), a message
// that gains one "context: " prefix per layer boundary, and the verifier log when the kernel rejected a program.
// Ownership: a value type; copying copies the payload. A moved-from Error is empty but safe to use: code()
// is Errc::InvalidArgument and message() says it was moved from.
// Thread safety: distinct Errors may be used from different threads; one Error is not synchronised.
class Error {
public:
    Error(Errc code, std::string message);
    // An error for a failed system call: code derived from errno, message "<call>: <strerror> (errno N)".
    static Error from_errno(int err, std::string_view call);

    Error(const Error& other);
    Error& operator=(const Error& other);
    // Moving and destroying are inline (a pointer move, a null test): every error return moves one or two.
    Error(Error&&) noexcept = default;
    Error& operator=(Error&&) noexcept = default;
    ~Error() = default;

    Errc code() const noexcept;
    int sys_errno() const noexcept;        // 0 unless a system call failed
    std::string_view message() const noexcept;
    std::string_view verifier_log() const noexcept;  // full log; empty unless code() == Errc::Verifier (or log requested)

    // Prefix the message with "what: ". Returns *this so it chains into a return statement.
    Error& context(std::string_view what) &;
    Error&& context(std::string_view what) &&;
    Error& set_verifier_log(std::string log) &;
    Error&& set_verifier_log(std::string log) &&;
    // Reclassifies the error (keeping errno and message), e.g. a failed BPF_PROG_LOAD that the verifier explains.
    Error& recode(Errc code) &;
    // Appends text after the message (used for the verifier log's last lines).
    Error& append(std::string_view text) &;

private:
    struct Payload;
    struct DeletePayload {
        void operator()(Payload* p) const noexcept;
    };
    Payload& payload();
    std::unique_ptr<Payload, DeletePayload> p_;
};

[[noreturn]] void detail_bad_result_access(const Error& err) noexcept;

// Result<T> holds a T or an Error. Member names follow std::expected so it can become an alias later.
template <class T>
class [[nodiscard]] Result {
    static_assert(!std::is_reference_v<T>, "Result<T&> is not supported; return a view or a pointer");
    static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is meaningless");

public:
    using value_type = T;

    template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                !std::is_same_v<std::remove_cvref_t<U>, Result> &&
                                                !std::is_same_v<std::remove_cvref_t<U>, Error>,
                                            int> = 0>
    Result(U&& v) : ok_(true) {  // NOLINT(google-explicit-constructor): mirrors std::expected
        ::new (static_cast<void*>(&val_)) T(std::forward<U>(v));
    }
    Result(Error&& e) noexcept : ok_(false) { ::new (static_cast<void*>(&err_)) Error(std::move(e)); }  // NOLINT
    Result(const Error& e) : ok_(false) { ::new (static_cast<void*>(&err_)) Error(e); }  // NOLINT

    Result(const Result& o) : ok_(o.ok_) {
        if (ok_) ::new (static_cast<void*>(&val_)) T(o.val_);
        else ::new (static_cast<void*>(&err_)) Error(o.err_);
    }
    Result(Result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(o.ok_) {
        if (ok_) ::new (static_cast<void*>(&val_)) T(std::move(o.val_));
        else ::new (static_cast<void*>(&err_)) Error(std::move(o.err_));
    }
    Result& operator=(Result o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        destroy();
        ok_ = o.ok_;
        if (ok_) ::new (static_cast<void*>(&val_)) T(std::move(o.val_));
        else ::new (static_cast<void*>(&err_)) Error(std::move(o.err_));
        return *this;
    }
    ~Result() { destroy(); }

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }

    T& value() & { check(); return val_; }
    const T& value() const& { check(); return val_; }
    T&& value() && { check(); return std::move(val_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    Error& error() & { return err_; }
    const Error& error() const& { return err_; }
    Error&& error() && { return std::move(err_); }

    template <class U>
    T value_or(U&& dflt) const& { return ok_ ? val_ : static_cast<T>(std::forward<U>(dflt)); }
    template <class U>
    T value_or(U&& dflt) && { return ok_ ? std::move(val_) : static_cast<T>(std::forward<U>(dflt)); }

    // f: T -> Result<U>
    template <class F>
    auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
        if (!ok_) return std::move(err_);
        return std::forward<F>(f)(std::move(val_));
    }
    template <class F>
    auto and_then(F&& f) & -> std::invoke_result_t<F, T&> {
        if (!ok_) return err_;
        return std::forward<F>(f)(val_);
    }
    // f: T -> U
    template <class F>
    auto transform(F&& f) && -> Result<std::invoke_result_t<F, T&&>> {
        if (!ok_) return std::move(err_);
        if constexpr (std::is_void_v<std::invoke_result_t<F, T&&>>) {
            std::forward<F>(f)(std::move(val_));
            return {};
        } else {
            return std::forward<F>(f)(std::move(val_));
        }
    }
    // Adds context to the error, if any; passes a value through.
    Result&& context(std::string_view what) && {
        if (!ok_) err_.context(what);
        return std::move(*this);
    }

private:
    void check() const {
        if (!ok_) detail_bad_result_access(err_);
    }
    void destroy() noexcept {
        if (ok_) val_.~T();
        else err_.~Error();
    }
    union {
        T val_;
        Error err_;
    };
    bool ok_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;
    Result() noexcept = default;
    Result(Error&& e) : err_(std::make_unique<Error>(std::move(e))) {}  // NOLINT
    Result(const Error& e) : err_(std::make_unique<Error>(e)) {}  // NOLINT
    Result(const Result& o) : err_(o.err_ ? std::make_unique<Error>(*o.err_) : nullptr) {}
    Result(Result&&) noexcept = default;
    Result& operator=(Result o) noexcept {
        err_ = std::move(o.err_);
        return *this;
    }

    bool has_value() const noexcept { return !err_; }
    explicit operator bool() const noexcept { return !err_; }
    void value() const {
        if (err_) detail_bad_result_access(*err_);
    }
    Error& error() & { return *err_; }
    const Error& error() const& { return *err_; }
    Error&& error() && { return std::move(*err_); }

    template <class F>
    auto and_then(F&& f) && -> std::invoke_result_t<F> {
        if (err_) return std::move(*err_);
        return std::forward<F>(f)();
    }
    Result&& context(std::string_view what) && {
        if (err_) err_->context(what);
        return std::move(*this);
    }

private:
    // Result<void> stores its error out of line: the success path is a null pointer.
    std::unique_ptr<Error> err_;
};

}  // namespace ebpf
