// SPDX-License-Identifier: MIT
// Queue<V> and Stack<V>: typed views of BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO), maps without keys.
#pragma once

#include <optional>

#include <ebpf/maps/view.hpp>

namespace ebpf {

namespace detail {
// Shared by Queue and Stack: push / pop / peek on a keyless map.
template <class V>
class KeylessMap {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    const Map& map() const noexcept { return map_; }
    std::uint32_t capacity() const noexcept { return map_.max_entries(); }

    // Adds a value. UpdateFlags::Exist makes room in a full map by dropping the oldest (queue) or bottom (stack)
    // element; otherwise a full map is ResourceLimit ("the map is full (max_entries N)").
    Result<void> push(const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_.update({}, as_bytes_of(value), flags);
    }
    // Removes and returns the next value; empty when the map is empty (not an error).
    Result<std::optional<V>> pop() const { return take_as<V>(map_, {}); }
    // Returns the next value without removing it; empty when the map is empty.
    Result<std::optional<V>> peek() const { return lookup_as<V>(map_, {}); }

protected:
    explicit KeylessMap(const Map& m) : map_(m) {}
    Map map_;
};
}  // namespace detail

// Queue: first in, first out. Kernel: QUEUE 4.20+. Thread safety: as Map (the kernel locks the queue).
// Ownership: holds a Map handle. Errors: InvalidArgument when the map is not a queue or V's size differs.
template <class V>
class Queue : public detail::KeylessMap<V> {
public:
    static Result<Queue> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Queue}, 0, sizeof(V), "Queue"); !r)
            return std::move(r).error();
        return Queue(map);
    }

private:
    explicit Queue(const Map& m) : detail::KeylessMap<V>(m) {}
};

// Stack: last in, first out. Kernel: STACK 4.20+. Thread safety, ownership, errors: as Queue.
template <class V>
class Stack : public detail::KeylessMap<V> {
public:
    static Result<Stack> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Stack}, 0, sizeof(V), "Stack"); !r)
            return std::move(r).error();
        return Stack(map);
    }

private:
    explicit Stack(const Map& m) : detail::KeylessMap<V>(m) {}
};

}  // namespace ebpf
