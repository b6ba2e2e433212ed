#include "input.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

// False once `wake_fd` is readable; true when `fd` may be read (or poll
// failed, and read will say why).
bool wait_readable(int fd, int wake_fd)
{
    if (wake_fd < 0)
        return true;
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0)
        if (errno != EINTR)
            return true;
    return (fds[1].revents & POLLIN) == 0;
}

} // namespace

InputBuffer::~InputBuffer() { std::free(m_data); }

InputBuffer::Result InputBuffer::read_all(int fd, uint64_t max_size,
                                          int wake_fd, std::string* error)
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
        if (!wait_readable(fd, wake_fd))
            return Result::Interrupted;
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
