// parallel_for_each: every item once, in any number of threads, and a thread
// that cannot be started costs speed, never the process (std::terminate).
#include <catch2/catch.hpp>
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/parallel.hpp"

using certtool::Parallel;
using certtool::parallel_for_each;

namespace {

// Starts the first `allowed` threads asked for, then fails as std::thread does
// when the system has no more to give.
struct LimitedStarter {
    int allowed = 0;
    std::shared_ptr<std::atomic<int>> asked = std::make_shared<std::atomic<int>>(0);
    std::thread operator()(std::function<void()> body) const {
        if ((*asked)++ >= allowed) throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
        return std::thread(std::move(body));
    }
};

// Which items were done how often, and on which threads.
struct Tally {
    std::vector<std::atomic<int>> done;
    std::mutex mutex;
    std::set<std::thread::id> threads;
    explicit Tally(std::size_t items) : done(items) {}
    void operator()(std::size_t i) {
        ++done[i];
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
    }
    [[nodiscard]] bool each_once() const {
        return std::all_of(done.begin(), done.end(), [](const std::atomic<int>& d) { return d == 1; });
    }
};

}  // namespace

TEST_CASE("parallel: every item is done once, on up to the threads asked for", "[parallel]") {
    Tally tally(1000);
    parallel_for_each(tally.done.size(), std::ref(tally), {4, {}});
    CHECK(tally.each_once());
    CHECK(tally.threads.size() <= 4);
    parallel_for_each(0, [](std::size_t) { FAIL("no item to do"); });
}

TEST_CASE("parallel: a thread that cannot be started leaves its share to the others", "[parallel]") {
    for (const int allowed : {0, 1, 2}) {
        INFO(allowed << " threads can be started of the 7 asked for");
        const LimitedStarter starter{allowed};
        Tally tally(200);
        parallel_for_each(tally.done.size(), std::ref(tally), {8, starter});
        CHECK(tally.each_once());
        CHECK(*starter.asked == allowed + 1);  // asked once more, refused, then no more asking
        CHECK(tally.threads.size() <= static_cast<std::size_t>(allowed) + 1);
        if (allowed == 0) CHECK(tally.threads == std::set<std::thread::id>{std::this_thread::get_id()});  // all inline
    }
}

TEST_CASE("parallel: the first item's exception, by index, after every item has run", "[parallel]") {
    std::vector<std::atomic<int>> done(100);
    try {
        parallel_for_each(done.size(), [&](std::size_t i) {
            ++done[i];
            if (i == 70 || i == 30 || i == 90) throw std::runtime_error("item " + std::to_string(i));
        }, {3, LimitedStarter{1}});
        FAIL("no exception");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "item 30");
    }
    for (const auto& d : done) CHECK(d == 1);
}
