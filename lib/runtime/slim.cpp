// SPDX-License-Identifier: MIT
// Optional runtime replacements for small static binaries (link only into executables that want them).
//
// A static libc++ drags in its exception runtime through the throwing operator new, and with it libc++abi's
// demangling terminate handler and a complete C++ demangler (~100 KiB). ebpf-cxx never throws and reports
// errors as values, so an executable built with it can choose:
//   - operator new/delete that abort on exhaustion instead of throwing std::bad_alloc,
//   - a __cxa_demangle that declines (terminate messages then show mangled names).
// These are standard replacement points (the C++ allocation functions, the Itanium ABI demangler symbol).
#include <cstddef>
#include <cstdlib>
#include <new>

void* operator new(std::size_t n) {
    if (void* p = std::malloc(n ? n : 1)) return p;
    std::abort();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

extern "C" char* __cxa_demangle(const char*, char*, std::size_t*, int* status) {
    if (status) *status = -2;  // "not a valid mangled name": callers fall back to the raw name
    return nullptr;
}
