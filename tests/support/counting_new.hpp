// SPDX-License-Identifier: MIT
// A replacement global operator new that counts allocations while asked to, for the tests that prove a hot path
// allocates nothing. Include it from exactly one source file of a test executable of its own (the replacement is
// program-wide). Every form is replaced, nothrow ones included: under ASan an unreplaced form is ASan's, and
// freeing its memory with the free() below is an alloc-dealloc mismatch (Catch2 and std::stable_sort's temporary
// buffer use the nothrow forms).
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace ebpf::test {

inline std::atomic<bool> g_counting_allocations{false};
inline std::atomic<long> g_allocations{0};

// The allocations `f` makes (on any thread) while it runs.
template <class F>
long allocations_in(F&& f) {
    g_allocations = 0;
    g_counting_allocations = true;
    f();
    g_counting_allocations = false;
    return g_allocations.load();
}

inline void count_allocation() noexcept {
    if (g_counting_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace ebpf::test

void* operator new(std::size_t n) {
    ebpf::test::count_allocation();
    if (void* p = std::malloc(n ? n : 1)) return p;
    std::abort();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    ebpf::test::count_allocation();
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
