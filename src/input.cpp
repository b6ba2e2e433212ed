#include "input.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

enum class Wait { Readable, Woken, TimedOut };

int milliseconds_until(InputBuffer::Deadline deadline)
{
    using namespace std::chrono;
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 60000));
}

// Readable also when poll failed: read will say why. Input already there
// is taken even past the deadline, so a short --deadline still reads a
// message that was written at once.
Wait wait_readable(int fd, int wake_fd, InputBuffer::Deadline deadline)
{
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    nfds_t count = wake_fd < 0 ? 1 : 2;
    for (;;) {
        int ready = ::poll(fds, count, milliseconds_until(deadline));
        if (ready > 0)
            break;
        if (ready < 0 && errno != EINTR)
            return Wait::Readable;
        if (ready == 0 && std::chrono::steady_clock::now() >= deadline)
            return Wait::TimedOut;
    }
    if (count == 2 && (fds[1].revents & POLLIN))
        return Wait::Woken;
    return Wait::Readable;
}

} // namespace

InputBuffer::~InputBuffer() { std::free(m_data); }

InputBuffer::Result InputBuffer::read_all(int fd, uint64_t max_size,
                                          int wake_fd, Deadline deadline,
                                          std::string* error)
{
    constexpr size_t s_block = 1 << 20;
    struct stat info{};
    size_t hint = s_block;
    if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0)
        hint = static_cast<size_t>(info.st_size) + 1; // +1 sees the end
    for (;;) {
        if (m_size == m_capacity) {
            size_t grow = m_capacity == 0 ? hint : m_capacity;
            void* data = std::realloc(m_data, m_capacity + grow);
            if (!data)
                throw std::bad_alloc();
            m_data = static_cast<char*>(data);
            m_capacity += grow;
        }
        switch (wait_readable(fd, wake_fd, deadline)) {
        case Wait::Woken:
            return Result::Interrupted;
        case Wait::TimedOut:
            return Result::TimedOut;
        case Wait::Readable:
            break;
        }
        ssize_t n = ::read(fd, m_data + m_size, m_capacity - m_size);
        if (n < 0) {
            if (errno == EINTR)
                continue; // wait_readable sees whether it was ours
            *error = std::string("cannot read the message: ") +
                     std::strerror(errno);
            return Result::ReadError;
        }
        if (n == 0)
            return Result::Ok;
        m_size += static_cast<size_t>(n);
        if (m_size > max_size)
            return Result::TooLarge;
    }
}
