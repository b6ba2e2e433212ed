// The state record on a real temporary directory, and --state-ttl parsing.
#include "config/config.hpp"
#include "state/record.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string s_key(64, 'a');

struct TempDir {
    fs::path path;
    TempDir()
    {
        std::string pattern =
            (fs::temp_directory_path() / "m2w-state-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
};

state::Clock::time_point soon() { return state::Clock::now() + 200ms; }

std::optional<state::Record> open(const std::string& dir,
                                  std::chrono::seconds ttl = 3600s)
{
    std::string error;
    auto record = state::Record::open(dir, s_key, ttl, soon(), &error);
    if (!record)
        MESSAGE(error);
    return record;
}

void age(const fs::path& file, std::time_t seconds)
{
    timeval times[2] = {};
    times[0].tv_sec = times[1].tv_sec = std::time(nullptr) - seconds;
    ::utimes(file.c_str(), times);
}

} // namespace

TEST_SUITE("state")
{
    TEST_CASE("an accepted URL is remembered by the next run")
    {
        TempDir dir;
        {
            auto record = open(dir.str());
            REQUIRE(record);
            CHECK_FALSE(record->accepted("url-1"));
            std::string error;
            CHECK(record->add("url-1", &error));
        }
        auto again = open(dir.str());
        REQUIRE(again);
        CHECK(again->accepted("url-1"));
        CHECK_FALSE(again->accepted("url-2"));
    }

    TEST_CASE("the state directory is created with mode 0700")
    {
        TempDir dir;
        std::string inner = dir.str() + "/state";
        REQUIRE(open(inner));
        struct stat st { };
        REQUIRE(::stat(inner.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
    }

    TEST_CASE("the record leaves no temporary file behind")
    {
        TempDir dir;
        auto record = open(dir.str());
        std::string error;
        REQUIRE(record->add("u", &error));
        for (const auto& entry : fs::directory_iterator(dir.path))
            CHECK(entry.path().extension() != ".tmp");
    }

    TEST_CASE("a record older than the ttl is forgotten")
    {
        TempDir dir;
        {
            auto record = open(dir.str());
            std::string error;
            REQUIRE(record->add("url-1", &error));
        }
        fs::path file = dir.path / (s_key + ".state");
        std::string text;
        {
            std::ifstream in(file);
            std::getline(in, text, '\0');
        }
        auto at = text.find("created ");
        REQUIRE(at != std::string::npos);
        text.replace(at, text.find('\n', at) - at, "created 1000");
        std::ofstream(file) << text;
        auto again = open(dir.str(), 3600s);
        REQUIRE(again);
        CHECK_FALSE(again->accepted("url-1"));
    }

    TEST_CASE("a damaged record is ignored with a notice")
    {
        TempDir dir;
        std::ofstream(dir.path / (s_key + ".state")) << "garbage\n";
        auto record = open(dir.str());
        REQUIRE(record);
        CHECK_FALSE(record->notice().empty());
    }

    TEST_CASE("a state path that is a file cannot be used")
    {
        TempDir dir;
        std::ofstream(dir.path / "file") << "x";
        std::string error;
        CHECK_FALSE(state::Record::open((dir.path / "file").string(), s_key,
                                        3600s, soon(), &error));
        CHECK_FALSE(error.empty());
        CHECK_FALSE(state::Record::open((dir.path / "file" / "sub").string(),
                                        s_key, 3600s, soon(), &error));
    }

    TEST_CASE("a second run waits for the lock and gives up at its deadline")
    {
        TempDir dir;
        auto first = open(dir.str());
        REQUIRE(first);
        std::string error;
        auto started = state::Clock::now();
        auto second = state::Record::open(dir.str(), s_key, 3600s,
                                          started + 150ms, &error);
        CHECK_FALSE(second);
        CHECK(state::Clock::now() - started >= 150ms);
        CHECK(error.find("another run") != std::string::npos);
    }

    TEST_CASE("the lock is free again once the first run ends")
    {
        TempDir dir;
        {
            auto first = open(dir.str());
            REQUIRE(first);
        }
        CHECK(open(dir.str()));
    }

    TEST_CASE("expire removes old files and keeps fresh and locked ones")
    {
        TempDir dir;
        auto old_state = dir.path / "old.state";
        auto old_lock = dir.path / "old.lock";
        auto other = dir.path / "notes.txt";
        std::ofstream(old_state) << "x";
        std::ofstream(old_lock) << "";
        std::ofstream(other) << "x";
        age(old_state, 10'000);
        age(old_lock, 10'000);
        age(other, 10'000);
        auto held = open(dir.str());
        age(dir.path / (s_key + ".lock"), 10'000);
        CHECK(state::expire(dir.str(), 3600s) == 2);
        CHECK_FALSE(fs::exists(old_state));
        CHECK_FALSE(fs::exists(old_lock));
        CHECK(fs::exists(other));
        CHECK(fs::exists(dir.path / (s_key + ".lock")));
        CHECK(fs::exists(dir.path / (s_key + ".state")));
    }

    TEST_CASE("state ttl durations take s, m, h and d")
    {
        CHECK(config::parse_duration("90") == 90s);
        CHECK(config::parse_duration("90s") == 90s);
        CHECK(config::parse_duration("15m") == 900s);
        CHECK(config::parse_duration("12h") == 43200s);
        CHECK(config::parse_duration("7d") == 604800s);
        CHECK_FALSE(config::parse_duration(""));
        CHECK_FALSE(config::parse_duration("d"));
        CHECK_FALSE(config::parse_duration("7w"));
        CHECK_FALSE(config::parse_duration("-1"));
        CHECK_FALSE(config::parse_duration("7 d"));
    }
}
