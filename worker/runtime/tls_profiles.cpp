#include "worker/runtime/tls_profiles.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>

#include <stdexcept>

#include "worker/http/client.hpp"

namespace swarm::worker {
namespace {

void add_authorities(boost::asio::ssl::context& ctx, const std::string& pem,
                     const std::string& source) {
    if (pem.empty()) return;
    boost::system::error_code ec;
    ctx.add_certificate_authority(boost::asio::buffer(pem), ec);
    if (ec) throw std::runtime_error(source + ": cannot load its CA certificates: " + ec.message());
}

}  // namespace

tls_profiles tls_profiles_for(const scenario::plan& plan, const tls_settings& settings) {
    tls_profiles out;
    for (const auto& u : plan.users) {
        tls_profile p;
        p.verify = !(settings.insecure || u.insecure);
        // Without verification no CA matters: one insecure profile for all.
        if (p.verify) {
            p.ca_file = u.ca_file;
            p.ca_pem = u.ca_pem;
        }
        p.tls = u.tls;
        std::size_t i = 0;
        while (i < out.profiles.size() &&
               !(out.profiles[i].verify == p.verify && out.profiles[i].ca_pem == p.ca_pem &&
                 out.profiles[i].tls == p.tls)) {
            ++i;
        }
        if (i == out.profiles.size()) out.profiles.push_back(std::move(p));
        out.by_class.push_back(i);
    }
    return out;
}

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_profile& profile,
                                                            const tls_settings& settings) {
    std::shared_ptr<boost::asio::ssl::context> ctx;
    try {
        ctx = http::make_tls_context(
            {profile.verify, profile.verify ? settings.ca_file : "", profile.tls});
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("--ca-file '" + settings.ca_file +
                                 "': cannot load it: " + e.code().message());
    }
    if (profile.verify) {
        add_authorities(*ctx, settings.ca_pem, "the run's --ca-file");
        add_authorities(*ctx, profile.ca_pem, "ca_file '" + profile.ca_file + "'");
    }
    return ctx;
}

}  // namespace swarm::worker
