// Memory across the mail server's retries (--state-dir): for one message
// and recipient, which webhook URLs already answered 2xx, so a later run
// posts only to the others. Plain POSIX files, one per message:
//   DIR/<key>.state  "mail2webhook-state 1", "created <unix seconds>",
//                    then one "accepted <url id>" line per URL
//   DIR/<key>.lock   held with flock(2) for the whole run
// The key and URL ids are hex digests made by the caller; nothing secret
// or from the message is written. Errors are values: a run that cannot use
// its state must defer rather than risk posting twice.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>

namespace state {

using Clock = std::chrono::steady_clock;

class Record {
public:
    Record(Record&& other) noexcept;
    Record& operator=(Record&& other) noexcept;
    Record(const Record&) = delete;
    ~Record(); // releases the lock

    // Creates `dir` if missing (mode 0700), waits until `deadline` (or a
    // signal, interrupt::received) for the lock on `key`, loads the record
    // (forgetting one older than `ttl`), and writes it back once to prove
    // the directory is writable. Nothing, with `error` set, when any of
    // that fails.
    static std::optional<Record> open(const std::string& dir,
                                      const std::string& key,
                                      std::chrono::seconds ttl,
                                      Clock::time_point deadline,
                                      std::string* error);

    bool accepted(const std::string& url_id) const;

    // Adds `url_id` and replaces the file atomically (temporary file,
    // fsync, rename, fsync of the directory). False with `error` set when
    // the write failed; the file then still holds the previous record.
    bool add(const std::string& url_id, std::string* error);

    // A problem met while loading that did not stop the run (a damaged
    // record), for the log; empty when none.
    const std::string& notice() const { return m_notice; }

private:
    Record(std::string dir, std::string key, int lock_fd);
    bool load(std::chrono::seconds ttl);
    bool save(std::string* error);

    std::string m_dir;
    std::string m_key;
    int m_lock_fd = -1;
    long long m_created = 0;
    std::set<std::string> m_accepted;
    std::string m_notice;
};

// Deletes records and lock files older than `ttl` from `dir`, skipping any
// lock another run holds. Best effort: returns how many files it removed.
int expire(const std::string& dir, std::chrono::seconds ttl);

} // namespace state
