#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <vector>

namespace certtool {

namespace {

// Joins what was started however the starting loop ends.
class Joiner {
public:
    std::vector<std::thread> threads;
    Joiner() = default;
    Joiner(const Joiner&) = delete;
    Joiner& operator=(const Joiner&) = delete;
    ~Joiner() {
        for (auto& t : threads)
            if (t.joinable()) t.join();
    }
};

}  // namespace

void parallel_for_each(std::size_t count, const std::function<void(std::size_t)>& work, const Parallel& options) {
    if (count == 0) return;
    std::vector<std::exception_ptr> failures(count);
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                work(i);
            } catch (...) {
                failures[i] = std::current_exception();
            }
        }
    };
    const unsigned wanted = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads = std::min<std::size_t>(wanted, count);
    {
        Joiner pool;
        pool.threads.reserve(threads);
        for (std::size_t t = 1; t < threads; ++t) {
            try {
                pool.threads.push_back(options.start ? options.start(worker) : std::thread(worker));
            } catch (const std::system_error&) {
                break;  // no more threads to be had: the ones running, and this one, do the rest
            }
        }
        worker();
    }
    for (const auto& failure : failures)
        if (failure) std::rethrow_exception(failure);
}

}  // namespace certtool
