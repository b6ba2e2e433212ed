// Reading the whole message into one buffer, which every later stage views.
// The buffer grows with realloc, which the C library serves with mremap
// for large blocks, so growing never holds two copies of the message.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

class InputBuffer {
public:
    InputBuffer() = default;
    InputBuffer(const InputBuffer&) = delete;
    InputBuffer& operator=(const InputBuffer&) = delete;
    ~InputBuffer();

    enum class Result { Ok, TooLarge, ReadError, Interrupted, TimedOut };
    using Deadline = std::chrono::steady_clock::time_point;

    // Reads `fd` to its end, or until more than `max_size` bytes arrived.
    // Stops with Interrupted as soon as `wake_fd` (-1: none) is readable,
    // and with TimedOut at `deadline`, even while `fd` has nothing to give
    // (a writer that never closes must not hold the run past --deadline).
    Result read_all(int fd, uint64_t max_size, int wake_fd, Deadline deadline,
                    std::string* error);

    std::string_view view() const noexcept { return {m_data, m_size}; }

private:
    char* m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
};
