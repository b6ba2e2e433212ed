#include "state/record.hpp"

#include "interrupt/interrupt.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace state {
namespace {

constexpr const char* s_magic = "mail2webhook-state 1";

std::string why(const std::string& what)
{
    return what + ": " + std::strerror(errno);
}

bool ensure_dir(const std::string& dir, std::string* error)
{
    struct stat st { };
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        *error = "state directory is not a directory";
        return false;
    }
    if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST)
        return true;
    *error = why("cannot create the state directory");
    return false;
}

// flock(2) on a file that another run may unlink (expire) between our
// open and our lock: only a lock on the file still at `path` counts.
int lock_file(const std::string& path, Clock::time_point deadline,
              std::string* error)
{
    for (;;) {
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            *error = why("cannot create a lock in the state directory");
            return -1;
        }
        while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK) {
                *error = why("cannot lock the state record");
                ::close(fd);
                return -1;
            }
            if (Clock::now() >= deadline || interrupt::received()) {
                *error = interrupt::received()
                             ? "interrupted while waiting for the lock"
                             : "another run is delivering this message";
                ::close(fd);
                return -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        struct stat held {
        }, now {};
        if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &now) == 0 &&
            held.st_ino == now.st_ino && held.st_dev == now.st_dev)
            return fd;
        ::close(fd); // unlinked under us: lock the new file instead
    }
}

bool write_all(int fd, const std::string& text)
{
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

bool sync_dir(const std::string& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

bool ends_with(const std::string& name, std::string_view suffix)
{
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) ==
               0;
}

} // namespace

Record::Record(std::string dir, std::string key, int lock_fd)
    : m_dir(std::move(dir))
    , m_key(std::move(key))
    , m_lock_fd(lock_fd)
{
}

Record::Record(Record&& other) noexcept
    : m_dir(std::move(other.m_dir))
    , m_key(std::move(other.m_key))
    , m_lock_fd(other.m_lock_fd)
    , m_created(other.m_created)
    , m_accepted(std::move(other.m_accepted))
    , m_notice(std::move(other.m_notice))
{
    other.m_lock_fd = -1;
}

Record& Record::operator=(Record&& other) noexcept
{
    if (this != &other) {
        if (m_lock_fd >= 0)
            ::close(m_lock_fd);
        m_dir = std::move(other.m_dir);
        m_key = std::move(other.m_key);
        m_lock_fd = std::exchange(other.m_lock_fd, -1);
        m_created = other.m_created;
        m_accepted = std::move(other.m_accepted);
        m_notice = std::move(other.m_notice);
    }
    return *this;
}

Record::~Record()
{
    if (m_lock_fd >= 0)
        ::close(m_lock_fd); // closing releases the flock
}

std::optional<Record> Record::open(const std::string& dir,
                                   const std::string& key,
                                   std::chrono::seconds ttl,
                                   Clock::time_point deadline,
                                   std::string* error)
{
    if (!ensure_dir(dir, error))
        return std::nullopt;
    int fd = lock_file(dir + "/" + key + ".lock", deadline, error);
    if (fd < 0)
        return std::nullopt;
    Record record(dir, key, fd);
    if (!record.load(ttl))
        record.m_created = static_cast<long long>(std::time(nullptr));
    if (!record.save(error))
        return std::nullopt;
    return record;
}

// False when there is no usable record (none, damaged, or expired).
bool Record::load(std::chrono::seconds ttl)
{
    std::ifstream in(m_dir + "/" + m_key + ".state");
    if (!in)
        return false;
    std::string line;
    if (!std::getline(in, line) || line != s_magic) {
        m_notice = "ignoring a damaged state record";
        return false;
    }
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string name, value;
        fields >> name >> value;
        if (name == "created")
            m_created = std::atoll(value.c_str());
        else if (name == "accepted" && !value.empty())
            m_accepted.insert(value);
    }
    if (m_created + ttl.count() >= std::time(nullptr))
        return true;
    m_accepted.clear();
    return false;
}

bool Record::save(std::string* error)
{
    std::string text =
        std::string(s_magic) + "\ncreated " + std::to_string(m_created) + "\n";
    for (const std::string& id : m_accepted)
        text += "accepted " + id + "\n";
    std::string path = m_dir + "/" + m_key + ".state";
    std::string temporary =
        m_dir + "/." + m_key + "." + std::to_string(::getpid()) + ".tmp";
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                    0600);
    if (fd < 0) {
        *error = why("cannot write to the state directory");
        return false;
    }
    bool ok = write_all(fd, text) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0 ||
        !sync_dir(m_dir)) {
        *error = why("cannot write the state record");
        ::unlink(temporary.c_str());
        return false;
    }
    return true;
}

bool Record::accepted(const std::string& url_id) const
{
    return m_accepted.count(url_id) > 0;
}

bool Record::add(const std::string& url_id, std::string* error)
{
    auto [it, inserted] = m_accepted.insert(url_id);
    if (save(error))
        return true;
    if (inserted)
        m_accepted.erase(it);
    return false;
}

int expire(const std::string& dir, std::chrono::seconds ttl)
{
    DIR* stream = ::opendir(dir.c_str());
    if (!stream)
        return 0;
    int removed = 0;
    std::time_t oldest = std::time(nullptr) - ttl.count();
    while (dirent* entry = ::readdir(stream)) {
        std::string name = entry->d_name;
        bool lock = ends_with(name, ".lock");
        if (!lock && !ends_with(name, ".state") && !ends_with(name, ".tmp"))
            continue;
        std::string path = dir + "/" + name;
        struct stat st { };
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
            st.st_mtime >= oldest)
            continue;
        int fd = lock ? ::open(path.c_str(), O_RDWR | O_CLOEXEC) : -1;
        if (lock && (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0)) {
            if (fd >= 0)
                ::close(fd);
            continue; // a run is using it
        }
        removed += ::unlink(path.c_str()) == 0 ? 1 : 0;
        if (fd >= 0)
            ::close(fd);
    }
    ::closedir(stream);
    return removed;
}

} // namespace state
