#include "acme/issue.hpp"

#include <algorithm>
#include <cctype>
#include <thread>

#include "acme/hook.hpp"
#include "acme/jws.hpp"
#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "crypto/digest.hpp"
#include "crypto/jose.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "inventory/key_file.hpp"
#include "acme/state.hpp"

namespace certtool::acme {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxCsrBytes = 1 << 20;
constexpr std::size_t kMaxCertificateBytes = 4 << 20;

[[noreturn]] void input_error(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

std::vector<std::string> san_names(const model::CertificateRequirement& c) {
    std::vector<std::string> names;
    for (const auto& san : c.sans) names.push_back(san.name);
    return names;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
    return out;
}

// The certificate blocks of a PEM chain, as the CA wrote them, in order.
std::vector<std::string> pem_blocks(const std::string& pem) {
    static const std::string begin = "-----BEGIN CERTIFICATE-----";
    static const std::string end = "-----END CERTIFICATE-----";
    std::vector<std::string> blocks;
    for (std::size_t at = pem.find(begin); at != std::string::npos; at = pem.find(begin, at)) {
        const auto stop = pem.find(end, at);
        if (stop == std::string::npos) break;
        blocks.push_back(pem.substr(at, stop + end.size() - at) + "\n");
        at = stop + end.size();
    }
    return blocks;
}

// One certificate's request, read and checked before anything is sent.
struct Job {
    const model::CertificateRequirement* certificate = nullptr;
    std::string csr_file;
    std::string csr_der;
    std::string csr_sha256;
    std::string public_key_sha256;
    std::string cert_file;
    std::string chain_file;
};

Job prepare_job(const model::CertificateRequirement& c, const IssueOptions& options) {
    Job job;
    job.certificate = &c;
    job.csr_file = options.requests_dir + "/" + c.id + ".csr";
    const auto files = inventory::issued_files(options.out_dir, c.id);
    job.cert_file = files.certificate;
    job.chain_file = files.chain;
    if (!fs::exists(job.csr_file))
        input_error("acme.csr-missing", job.csr_file, "no request for " + c.id + ": run 'certtool csr TOPOLOGY --out " + options.requests_dir + "' first");
    const std::string text = fs::read_file_bounded(job.csr_file, kMaxCsrBytes, "acme.csr");
    crypto::ParsedCsr parsed;
    try {
        parsed = crypto::parse_csr_independently(text);
        job.csr_der = crypto::csr_der(text);
    } catch (const crypto::CryptoError& e) {
        input_error("acme.csr-invalid", job.csr_file, std::string("not a readable certificate request: ") + e.what());
    }
    if (!parsed.signature_valid) input_error("acme.csr-invalid", job.csr_file, "the request's signature does not verify");
    const auto planned = san_names(c);
    if (parsed.subject.common_name != c.common_name || parsed.dns_names != planned)
        input_error("acme.csr-differs", job.csr_file,
                    "the request was made for other names (CN " + parsed.subject.common_name + ", SANs " + join(parsed.dns_names, ", ") +
                        ") than the plan's (CN " + c.common_name + ", SANs " + join(planned, ", ") +
                        "); run 'certtool csr' again for this topology");
    job.csr_sha256 = crypto::sha256_hex(job.csr_der);
    job.public_key_sha256 = parsed.public_key_sha256;
    return job;
}

crypto::PrivateKey account_key(const IssueOptions& options, const std::string& path, bool* created, Secret* pem_to_write) {
    if (fs::exists(path)) {
        if (fs::is_symlink(path)) input_error("output.symlink", path, "is a symbolic link; refusing to read the account key through it");
        try {
            auto key = inventory::read_key_file(path, Secret(), "acme.account-key").key;
            (void)crypto::jws_algorithm(key);
            return key;
        } catch (const crypto::CryptoError& e) {
            input_error("acme.account-key", path,
                        e.code() == "key.encrypted" ? "the account key is encrypted; certtool needs it unencrypted (mode 0600)"
                                                    : std::string("cannot use it as an ACME account key: ") + e.what());
        }
    }
    (void)options;
    // ECDSA P-256: the smallest signatures every ACME CA accepts (ES256).
    auto key = crypto::generate_key({crypto::KeyType::ec, 256});
    *pem_to_write = Secret(crypto::to_pkcs8_pem(key, std::nullopt));
    *created = true;
    return key;
}

void check_parent_exists(const std::string& dir) {
    const auto slash = dir.find_last_of('/');
    const std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : dir.substr(0, slash));
    if (!fs::exists(parent)) input_error("output.missing", dir, "neither the output directory nor its parent " + parent + " exists");
}

// Sleeps in short slices so that an interruption is noticed within 100 ms.
Sleep make_sleep(const std::function<bool()>& cancelled) {
    return [cancelled](milliseconds total) {
        const auto until = Clock::now() + total;
        while (Clock::now() < until) {
            if (cancelled && cancelled()) throw Error("acme.interrupted", "", "interrupted");
            std::this_thread::sleep_for(std::min<milliseconds>(milliseconds(100), std::chrono::duration_cast<milliseconds>(until - Clock::now()) + milliseconds(1)));
        }
    };
}

// The hook's cleanup for every record it was asked to present, run when the
// order's validation is over, however it ended.
class Presented {
public:
    Presented(const IssueOptions& options, const Progress& progress) : options_(options), progress_(progress) {}
    ~Presented() { cleanup(); }
    Presented(const Presented&) = delete;
    Presented& operator=(const Presented&) = delete;

    void present(const std::string& record, const std::string& value) {
        records_.emplace_back(record, value);  // cleanup also after a present that failed half-way
        if (progress_) progress_("hook: present " + record);
        const auto run = run_hook(options_.hook, {"present", record, value}, options_.hook_timeout, options_.hidden_env, options_.cancelled);
        if (run.cancelled) throw Error("acme.interrupted", options_.hook, "interrupted while the DNS hook ran 'present " + record + "'");
        if (!run.ok()) throw hook_error(run, "present", record);
    }

    // Runs every cleanup; returns the warnings of those that failed (an order
    // that succeeded stays a success: a stale TXT record harms nothing).
    std::vector<std::string> cleanup() {
        std::vector<std::string> warnings;
        for (const auto& [record, value] : records_) {
            if (progress_) progress_("hook: cleanup " + record);
            // Cleanup runs even when interrupted: it is what leaves the zone clean.
            const auto run = run_hook(options_.hook, {"cleanup", record, value}, options_.hook_timeout, options_.hidden_env, {});
            if (!run.ok()) warnings.push_back(hook_error(run, "cleanup", record).what());
        }
        records_.clear();
        return warnings;
    }

private:
    Error hook_error(const HookRun& run, const std::string& action, const std::string& record) const {
        std::string what = run.timed_out ? "did not finish within " + std::to_string((options_.hook_timeout.count() + 999) / 1000) +
                                               " s and was killed (with its process group)"
                           : run.signal != 0 ? "was ended by signal " + std::to_string(run.signal)
                                             : "exited with status " + std::to_string(run.exit_code);
        std::string message = "the DNS hook '" + action + " " + record + "' " + what;
        const std::string tail = output_tail(run.output);
        message += tail.empty() ? " and printed nothing" : "; its output ends:\n" + tail;
        while (!message.empty() && message.back() == '\n') message.pop_back();
        return Error(run.timed_out ? "acme.hook-timeout" : "acme.hook-failed", options_.hook, message);
    }

    const IssueOptions& options_;
    const Progress& progress_;
    std::vector<std::pair<std::string, std::string>> records_;
};

// Waits until every TXT value is visible at the resolver given.
void wait_for_txt(const std::vector<std::pair<std::string, std::string>>& records, const IssueOptions& options, const Progress& progress,
                  const Sleep& sleep) {
    if (!options.dns_resolver || records.empty()) return;
    if (progress) progress("waiting for " + std::to_string(records.size()) + " TXT record(s) at " + options.dns_resolver->text());
    const auto deadline = Clock::now() + options.dns_wait;
    std::vector<dns::Query> queries;
    for (const auto& r : records) queries.push_back({r.first, dns::RecordType::txt});
    dns::Options dns_options;
    dns_options.servers = {*options.dns_resolver};
    dns_options.query_timeout = milliseconds(1000);
    dns_options.tries = 1;
    for (;;) {
        dns_options.deadline = std::clamp(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()), milliseconds(100), milliseconds(3000));
        const auto answers = dns::resolve(queries, dns_options);
        std::vector<std::string> missing;
        for (std::size_t i = 0; i < answers.size(); ++i) {
            const auto& a = answers[i];
            if (std::find(a.txt.begin(), a.txt.end(), records[i].second) != a.txt.end()) continue;
            std::string why = dns::to_string(a.status);
            if (a.status == dns::Status::answered) why = "other TXT values only";
            missing.push_back(records[i].first + " (" + why + ")");
        }
        if (missing.empty()) return;
        if (Clock::now() + milliseconds(500) >= deadline)
            throw Error("acme.dns-not-visible", options.dns_resolver->text(),
                        "the challenge TXT record is not visible at " + options.dns_resolver->text() + " after " +
                            std::to_string(options.dns_wait.count() / 1000) + " s: " + join(missing, ", ") +
                            "; did the hook update the zone this server answers for?");
        sleep(milliseconds(500));
    }
}

std::string problem_text(const std::optional<Problem>& problem) {
    if (!problem) return "the CA gave no reason";
    return problem_code(problem->type) + ": " + problem_message(*problem);
}

// Validates every pending authorization of the order by DNS-01. Only for the
// certificate's own names: a CA (or something posing as one) must not get the
// hook to publish records anywhere else in the admin's zones.
void authorize(Client& client, const Order& order, const model::CertificateRequirement& certificate, const IssueOptions& options,
               const Progress& progress, const Sleep& sleep, Clock::time_point deadline, CertificateResult& result) {
    struct Pending {
        Authorization authorization;
        Challenge challenge;
        std::string record;
        std::string value;
    };
    std::vector<Pending> pending;
    for (const auto& url : order.authorizations) {
        auto a = client.authorization(url);
        if (a.status == "valid") continue;
        if (a.status != "pending")
            throw Error("acme.authorization-" + std::string(a.status == "invalid" ? "invalid" : "unusable"), url,
                        "the authorization for " + a.identifier + " is " + printable(a.status, 20));
        const auto dns01 = std::find_if(a.challenges.begin(), a.challenges.end(), [](const Challenge& c) { return c.type == "dns-01"; });
        if (dns01 == a.challenges.end())
            throw Error("acme.no-dns-challenge", url, "the CA offers no dns-01 challenge for " + a.identifier + " (certtool validates by DNS only)");
        std::string name = (a.wildcard ? "*." : "") + a.identifier;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (!certificate.has_san(name))
            throw Error("acme.garbage", url, "the CA asks to validate " + printable(name, 253) + ", which is not a name of " + certificate.id);
        const bool token_ok = !dns01->token.empty() && dns01->token.size() <= 256 &&
                              std::all_of(dns01->token.begin(), dns01->token.end(), [](char ch) {
                                  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
                              });
        if (!token_ok) throw Error("acme.garbage", url, "the dns-01 challenge's token is not base64url");
        const std::string record = "_acme-challenge." + name.substr(a.wildcard ? 2 : 0) + ".";
        const std::string value = dns01_txt_value(key_authorization(dns01->token, client.thumbprint()));
        pending.push_back({a, *dns01, record, value});
    }
    if (pending.empty()) return;

    Presented presented(options, progress);
    std::vector<std::pair<std::string, std::string>> records;
    for (const auto& p : pending) {
        presented.present(p.record, p.value);
        records.emplace_back(p.record, p.value);
    }
    wait_for_txt(records, options, progress, sleep);
    if (progress) progress("asking the CA to validate " + std::to_string(pending.size()) + " name(s)");
    for (const auto& p : pending)
        if (p.challenge.status == "pending") client.respond(p.challenge);
    for (const auto& p : pending) {
        const auto a = client.wait_authorization(p.authorization.url, deadline);
        if (a.status == "valid") continue;
        std::optional<Problem> problem;
        for (const auto& c : a.challenges)
            if (c.type == "dns-01" && c.error) problem = c.error;
        throw Error("acme.challenge-invalid", p.authorization.url,
                    "the CA could not validate " + p.record + " (authorization " + printable(a.status, 20) + "): " + problem_text(problem));
    }
    for (auto& w : presented.cleanup()) result.warnings.push_back(std::move(w));
}

// Keeps the file at `path` as path.replaced-<stamp> (or -<stamp>-2, ... when a
// run in the same second kept one already), unless it holds `replacement`
// already (the same certificate downloaded again).
void keep_previous(const std::string& path, const std::string& replacement, const std::string& stamp, CertificateResult& result) {
    if (!fs::exists(path)) return;
    const std::string previous = fs::read_file_bounded(path, kMaxCertificateBytes, "output");
    if (previous == replacement) return;
    result.replaced_files.push_back(fs::keep_replaced(path, previous, stamp, 0644));
}

struct InPlace {
    std::optional<inventory::CertificateFile> file;
    bool usable = false;
};

// The certificate already at <id>.pem (with <id>.chain.pem), if it is one the
// CA issued for this request and names and it has not expired.
InPlace certificate_in_place(const Job& job) {
    InPlace in_place;
    if (!fs::is_regular_file(job.cert_file)) return in_place;
    try {
        const std::string source = fs::is_regular_file(job.chain_file) ? job.chain_file : job.cert_file;
        in_place.file = inventory::read_certificate_file(source, Secret(), "output");
    } catch (const std::exception&) {
        return in_place;  // unreadable: ordered again, and the file kept as replaced
    }
    const auto& leaf = in_place.file->leaf_certificate();
    in_place.usable = leaf.public_key_sha256 == job.public_key_sha256 && leaf.dns_names == san_names(*job.certificate) &&
                      leaf.not_after > std::chrono::system_clock::now();
    return in_place;
}

check::Verdict run_checks(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& intermediates,
                          const model::CertificateRequirement& c, const IssueOptions& options,
                          const std::string& source) {
    check::Context context = options.check;
    // Checked as of now, not as of the start of the run: the CA dates a
    // certificate from when it signs it.
    context.at = std::chrono::system_clock::now();
    context.chain.at = context.at;
    for (const auto& i : intermediates) context.chain.intermediates_der.push_back(i.der);
    return check::check_against_plan(leaf, c, context, source);
}

void order_one(Client& client, const Job& job, State& state, const IssueOptions& options, const Progress& progress, const Sleep& sleep,
               CertificateResult& result) {
    const auto& c = *job.certificate;
    const auto deadline = Clock::now() + options.order_timeout;
    const auto save = [&](const Order& o) {
        auto& s = state.orders[c.id];
        s.url = o.url;
        s.status = o.status;
        s.csr_sha256 = job.csr_sha256;
        s.certificate_url = o.certificate;
        s.updated = format_datetime(std::chrono::system_clock::now());
        save_state(options.out_dir, state);
    };

    std::optional<Order> order;
    if (const auto known = state.orders.find(c.id);
        known != state.orders.end() && !known->second.url.empty() && known->second.csr_sha256 == job.csr_sha256 && !options.force) {
        try {
            auto o = client.order(known->second.url);
            if (o.status != "invalid") {
                order = o;
                result.resumed = true;
                if (progress) progress(c.id + ": continuing the order of an earlier run (" + o.status + ")");
            }
        } catch (const Error& e) {
            // A CA forgets expired orders (404, malformed): a new one is made.
            if (e.code() == "acme.interrupted" || e.code() == "acme.rate-limited") throw;
        }
    }
    if (!order) {
        if (progress) progress(c.id + ": new order for " + std::to_string(c.sans.size()) + " name(s)");
        const std::string profile = client.directory().offers_profiles ? options.profile : "";
        order = client.new_order(san_names(c), profile);
    }
    result.order_url = order->url;
    save(*order);

    if (order->status == "pending") {
        authorize(client, *order, c, options, progress, sleep, deadline, result);
        order = client.wait_order(order->url, deadline);
        save(*order);
    }
    if (order->status == "ready") {
        if (progress) progress(c.id + ": finalizing with " + job.csr_file);
        order = client.finalize(*order, job.csr_der);
        save(*order);
    }
    if (order->status == "processing") {
        order = client.wait_order(order->url, deadline);
        save(*order);
    }
    if (order->status != "valid")
        throw Error("acme.order-invalid", order->url, "the order is " + printable(order->status, 20) + ": " + problem_text(order->error));
    if (order->certificate.empty()) throw Error("acme.garbage", order->url, "the valid order names no certificate URL");

    if (progress) progress(c.id + ": downloading the certificate");
    const std::string chain_pem = client.certificate_chain(order->certificate);
    crypto::CertificateBundle bundle;
    try {
        bundle = crypto::load_certificates(chain_pem, std::nullopt);
    } catch (const crypto::CryptoError& e) {
        throw Error("acme.garbage", order->certificate, std::string("the certificate chain cannot be read: ") + e.what());
    }
    // RFC 8555 7.4.2: the end-entity certificate comes first in the CA's chain.
    const auto& leaf = bundle.certificates.front();
    if (leaf.public_key_sha256 != job.public_key_sha256)
        throw Error("acme.certificate-mismatch", order->certificate,
                    "the CA's certificate is not for the request's key (an order of another request?); nothing written");
    const auto blocks = pem_blocks(chain_pem);
    if (blocks.size() != bundle.certificates.size()) throw Error("acme.garbage", order->certificate, "the certificate chain has unreadable blocks");

    // Chain first: a run killed in between leaves a chain without its leaf,
    // which the next run orders (or downloads) again, never a leaf alone.
    const std::string stamp = format_stamp(std::chrono::system_clock::now());
    const std::string chain_text = join(blocks, "");
    keep_previous(job.chain_file, chain_text, stamp, result);
    keep_previous(job.cert_file, blocks.front(), stamp, result);
    fs::write_file_atomic(job.chain_file, chain_text, {0644, true});
    fs::write_file_atomic(job.cert_file, blocks.front(), {0644, true});
    state.orders[c.id].certificate_sha256 = leaf.sha256_fingerprint;
    save(*order);

    result.outcome = "issued";
    result.certificate_file = job.cert_file;
    result.chain_file = job.chain_file;
    if (leaf.subject.common_name.empty())
        result.warnings.push_back("the CA issued the certificate without a Common Name (the profile's choice?): Lync and Skype for Business "
                                  "documents expect the subject (C14)");
    result.verdict = run_checks(leaf, {bundle.certificates.begin() + 1, bundle.certificates.end()}, c, options, job.cert_file);
}

}  // namespace

bool Result::all_passed() const {
    return std::all_of(certificates.begin(), certificates.end(),
                       [](const CertificateResult& c) { return !c.error && c.verdict && c.verdict->passed(); });
}

std::optional<ProfileFacts> known_profile(const std::string& name) {
    // Let's Encrypt's profiles page (../shared/research/next-anchors.md section 2.2).
    if (name == "classic") return ProfileFacts{true, 100, "Let's Encrypt profiles: classic keeps a Common Name, at most 100 names"};
    if (name == "tlsserver") return ProfileFacts{false, 25, "Let's Encrypt profiles: tlsserver has no Common Name, at most 25 names"};
    return std::nullopt;
}

std::vector<std::string> profile_warnings(const std::string& profile, const model::CertificateRequirement& certificate) {
    std::vector<std::string> warnings;
    const auto facts = known_profile(profile);
    if (!facts) return warnings;
    if (!facts->keeps_common_name)
        warnings.push_back(certificate.id + ": profile '" + profile + "' issues certificates without a Common Name, while the plan's subject is " +
                           certificate.common_name + " (C14; " + facts->source + "); 'classic' keeps it");
    if (facts->max_names > 0 && static_cast<int>(certificate.sans.size()) > facts->max_names)
        warnings.push_back(certificate.id + ": profile '" + profile + "' allows at most " + std::to_string(facts->max_names) +
                           " names and the plan has " + std::to_string(certificate.sans.size()) + " (" + facts->source + ")");
    return warnings;
}

Result issue(const model::Plan& plan, const IssueOptions& options, const Progress& progress) {
    Result result;
    result.directory_url = options.directory_url;
    if (const auto why = url_refusal(options.directory_url); !why.empty())
        input_error("usage.server", "", "--server " + printable(options.directory_url, 200) + ": " + why);
    if (plan.has_errors() && !options.force)
        input_error(model::kPlanHasErrors, plan.source.path,
                    error_summary(plan) + "; run 'certtool plan' to see them all, fix the topology, or add --force to order anyway");

    // What is ordered: the public-CA certificates, narrowed by --only.
    std::vector<const model::CertificateRequirement*> chosen;
    if (options.only.empty()) {
        for (const auto& c : plan.certificates) {
            if (c.ca == model::CaKind::public_ca)
                chosen.push_back(&c);
            else
                result.not_ordered.push_back(c.id);
        }
    } else {
        const model::Plan selected = model::select_certificates(plan, options.only);
        for (const auto& s : selected.certificates) {
            const auto* c = plan.find(s.id);
            if (c->ca != model::CaKind::public_ca)
                input_error("acme.not-public", plan.source.path,
                            c->id + " is planned for " + (c->ca == model::CaKind::internal_ca ? "the internal CA" : "either CA") +
                                " (ca: " + (c->ca == model::CaKind::internal_ca ? "internal" : "either") +
                                "); certtool acme orders only the plan's public-CA certificates (use certtool ca sign or your enterprise CA)");
            chosen.push_back(c);
        }
    }
    if (chosen.empty()) input_error("acme.nothing-to-order", plan.source.path, "the plan has no public-CA certificate to order");

    // Everything that can fail because of the input fails here, before the CA is asked anything.
    if (options.requests_dir.empty() || !fs::exists(options.requests_dir))
        input_error("usage.requests", options.requests_dir, "the requests folder does not exist (certtool csr --out writes it)");
    std::vector<Job> jobs;
    for (const auto* c : chosen) jobs.push_back(prepare_job(*c, options));
    const bool out_exists = fs::exists(options.out_dir);
    if (out_exists) {
        fs::prepare_output_directory(options.out_dir, false);
        fs::remove_stale_temporaries(options.out_dir);
    } else {
        check_parent_exists(options.out_dir);
    }
    for (const auto& job : jobs)
        for (const auto* path : {&job.cert_file, &job.chain_file})
            if (fs::is_symlink(*path)) input_error("output.symlink", *path, "is a symbolic link; refusing to write through it");
    State state = out_exists ? load_state(options.out_dir) : State{};
    result.account_key_file = options.account_key_file.empty() ? options.out_dir + "/acme-account.key" : options.account_key_file;
    Secret key_pem;  // a new key's PEM, wiped however this ends
    const crypto::PrivateKey key = account_key(options, result.account_key_file, &result.account_key_created, &key_pem);
    if (!options.profile.empty())
        for (const auto* c : chosen)
            for (auto& w : profile_warnings(options.profile, *c)) result.warnings.push_back(std::move(w));

    if (!out_exists) fs::prepare_output_directory(options.out_dir, true);
    if (result.account_key_created) {
        // 0600 from creation (O_EXCL on a temporary, renamed without replacing).
        fs::write_file_atomic(result.account_key_file, *key_pem, {0600, false});
        key_pem.wipe();
    }

    // A rerun where every certificate is in place needs no CA at all (a
    // scheduled job keeps working while the CA is down).
    std::vector<InPlace> placed;
    for (const auto& job : jobs) placed.push_back(certificate_in_place(job));
    const auto in_place_result = [&](std::size_t i) {
        CertificateResult r;
        r.id = jobs[i].certificate->id;
        r.outcome = "in place";
        r.certificate_file = jobs[i].cert_file;
        r.chain_file = fs::is_regular_file(jobs[i].chain_file) ? jobs[i].chain_file : "";
        r.verdict = run_checks(placed[i].file->leaf_certificate(), placed[i].file->others(), *jobs[i].certificate, options, jobs[i].cert_file);
        if (progress) progress(r.id + ": a certificate for this request is in place; nothing ordered");
        return r;
    };
    if (!options.force && std::all_of(placed.begin(), placed.end(), [](const InPlace& p) { return p.usable; })) {
        result.account_url = state.directory == options.directory_url ? state.account_url : "";
        for (std::size_t i = 0; i < jobs.size(); ++i) result.certificates.push_back(in_place_result(i));
        return result;
    }

    HttpOptions http_options;
    http_options.ca_bundle = options.ca_bundle;
    http_options.request_timeout = options.http_timeout;
    http_options.connect_timeout = std::min(options.http_timeout, milliseconds(10000));
    http_options.user_agent = options.user_agent;
    http_options.cancelled = options.cancelled;
    HttpClient http(http_options);
    const Sleep sleep = make_sleep(options.cancelled);
    Client client(http, key, options.directory_url, options.retry, sleep);

    if (progress) progress("directory " + options.directory_url);
    const auto& directory = client.directory();
    if (!options.profile.empty()) {
        if (!directory.offers_profiles)
            result.warnings.push_back("the CA offers no profiles; ordering without --profile " + options.profile);
        else if (directory.profiles.count(options.profile) == 0) {
            std::vector<std::string> names;
            for (const auto& [name, description] : directory.profiles) names.push_back(name);
            throw Error("acme.invalid-profile", options.directory_url,
                        "the CA does not offer profile '" + options.profile + "'; it offers: " + (names.empty() ? "none" : join(names, ", ")));
        }
    }

    const std::string thumbprint = client.thumbprint();
    if (state.directory == options.directory_url && !state.account_url.empty() && state.account_thumbprint == thumbprint) {
        client.use_account(state.account_url);
        result.account_url = state.account_url;
    } else {
        AccountRequest request;
        request.contact = options.contact;
        request.agree_to_terms = options.agree_to_terms;
        request.eab_kid = options.eab_kid;
        request.eab_hmac_key = options.eab_hmac_key.copy();
        const Account account = client.account(request);
        result.account_url = account.url;
        result.account_created = account.created;
        if (state.directory != options.directory_url) state.orders.clear();  // orders of another CA mean nothing here
        state.directory = options.directory_url;
        state.account_url = account.url;
        state.account_thumbprint = thumbprint;
        save_state(options.out_dir, state);
        if (progress) progress(std::string(account.created ? "created" : "found") + " account " + account.url);
    }

    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto& job = jobs[i];
        CertificateResult r;
        r.id = job.certificate->id;
        try {
            if (placed[i].usable && !options.force)
                r = in_place_result(i);
            else
                order_one(client, job, state, options, progress, sleep, r);
        } catch (const Error& e) {
            if (e.code() == "acme.interrupted") throw;
            r.outcome = "failed";
            r.error = ErrorInfo{e.code(), e.where(), e.what()};
        } catch (const InputError& e) {
            // Writing the result failed (a full disk, a file planted meanwhile):
            // this certificate failed; the CA has been asked, so the run goes on.
            const auto& d = e.diagnostics().front();
            r.outcome = "failed";
            r.error = ErrorInfo{d.code, d.file, d.message};
        }
        result.certificates.push_back(std::move(r));
    }
    return result;
}

}  // namespace certtool::acme
