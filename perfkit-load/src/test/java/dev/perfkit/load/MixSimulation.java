package dev.perfkit.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Choice;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The realistic mix of the applications perfkit was designed from, against nginx in front
 * of two sample instances: browsing (cached pricing and agent statistics), account activity
 * (a cached balance read, a credit change that evicts it), logins under the {@code auth}
 * tier (per client address and per e-mail, mostly bad passwords), plan-metered scans, the
 * N+1 endpoint and its fixed twin, and the slow report.
 *
 * <p>
 * By default ({@code LOAD_MODEL=closed}) users are closed-model virtual users without think
 * time, as in the k6 and Locust runs these figures are compared with: each loops over the
 * mix on its own keep-alive connection, and the population steps through
 * {@code LOAD_LEVELS} (50, 100, 200) after a warm-up, so requests per second is the
 * output. With {@code LOAD_MODEL=open} arrivals are the input instead: each level of
 * {@code L} users is {@code L × LOAD_OPEN_RATE} (default 1) new virtual users per second,
 * each sending one request of the mix and leaving (users who come back once a second, say),
 * ramped from level to level; a slow system then faces a growing queue instead of
 * slowing its own clients down, which is what the tail latencies of an open model show.
 * Open-model users share a pool of keep-alive connections. Either way
 * {@link LoadSettings#levelAt} assigns each sample to its level, and every response is
 * recorded ({@link Recorder}) for the tables and checks of {@link Verdict}.
 *
 * <p>
 * Client addresses (written in {@code X-Forwarded-For}, which nginx extends and the
 * sample trusts from loopback), e-mails, accounts and API keys come from small pools, so
 * that keys are shared by many users and by both instances: that is what makes the limits
 * bind and the cache coherence matter.
 *
 * <p>
 * With {@code LOAD_TARGETS} (see {@link LoadSettings#targets}) the same mix goes to several
 * targets at once from this one JVM: the full run sends it to the perfkit-on pair and to
 * the perfkit-off pair, each behind its own nginx, with the same injection from the same
 * start, so that both sides meet the same machine at the same moment. Each side has its own
 * connections, recorder, folder and accounts.
 */
public class MixSimulation extends Simulation {

	static final int ADDRESSES = 48;

	static final int EMAILS = 24;

	static final int ACCOUNTS = 40;

	static final int AGENTS = 200;

	private final LoadSettings settings = LoadSettings.fromEnvironment();

	/** One per target, each with its own recorder, account names and connections. */
	private final List<Side> sides = this.settings.targets().stream().map(Side::new).toList();

	private volatile long started;

	{
		List<PopulationBuilder> populations = new ArrayList<>();
		for (Side side : this.sides) {
			populations.add(this.settings.open()
					? side.once.injectOpen(arrivals()).protocols(side.protocol.shareConnections())
					: side.mix.injectOpen(injection()).protocols(side.protocol));
		}
		setUp(populations).maxDuration(this.settings.totalSeconds());
	}

	/**
	 * The open model's arrival rates: each level's users times the rate per user, reached
	 * by a ramp of {@link LoadSettings#RAMP_SECONDS} and held for the rest of the level, the
	 * warm-up at the first level's rate.
	 */
	private io.gatling.javaapi.core.OpenInjectionStep[] arrivals() {
		List<io.gatling.javaapi.core.OpenInjectionStep> steps = new ArrayList<>();
		List<Integer> levels = this.settings.levels();
		double rate = this.settings.openRate();
		double previous = 0;
		for (int i = 0; i < levels.size(); i++) {
			double target = levels.get(i) * rate;
			int hold = this.settings.levelSeconds() - LoadSettings.RAMP_SECONDS + ((i == 0) ? this.settings.warmupSeconds() : 0);
			steps.add(rampUsersPerSec(Math.max(previous, 0.1)).to(target).during(LoadSettings.RAMP_SECONDS));
			steps.add(constantUsersPerSec(target).during(hold));
			previous = target;
		}
		return steps.toArray(io.gatling.javaapi.core.OpenInjectionStep[]::new);
	}

	private io.gatling.javaapi.core.OpenInjectionStep[] injection() {
		List<io.gatling.javaapi.core.OpenInjectionStep> steps = new ArrayList<>();
		List<Integer> levels = this.settings.levels();
		int first = levels.get(0);
		steps.add(atOnceUsers(Math.max(1, first / 10)));
		steps.add(rampUsers(first - Math.max(1, first / 10)).during(LoadSettings.RAMP_SECONDS));
		steps.add(nothingFor(this.settings.warmupSeconds() + this.settings.levelSeconds() - LoadSettings.RAMP_SECONDS));
		for (int i = 1; i < levels.size(); i++) {
			steps.add(rampUsers(levels.get(i) - levels.get(i - 1)).during(LoadSettings.RAMP_SECONDS));
			steps.add(nothingFor(this.settings.levelSeconds() - LoadSettings.RAMP_SECONDS));
		}
		return steps.toArray(io.gatling.javaapi.core.OpenInjectionStep[]::new);
	}

	/** Every side's start marker holds the same instant: their levels are the same. */
	@Override
	public void before() {
		this.started = System.currentTimeMillis();
		try {
			for (Side side : this.sides) {
				Files.createDirectories(side.target.out());
				Files.writeString(side.target.out().resolve("started"), Long.toString(this.started));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void after() {
		for (Side side : this.sides) {
			side.recorder.write(side.target.out().resolve("samples.csv"));
		}
	}

	/**
	 * The mix against one target. Paired targets (perfkit on and off) get the same
	 * injection from the same start, so that their levels change at the same instant; each
	 * request is named in a Gatling group of its side's label, so that Gatling's report
	 * shows each side apart.
	 */
	private static final class Side {

		private final LoadSettings.Target target;

		private final Recorder recorder = new Recorder();

		private final HttpProtocolBuilder protocol;

		private final ScenarioBuilder mix;

		/** One request of the mix per virtual user: the open model's arrivals. */
		private final ScenarioBuilder once;

		Side(LoadSettings.Target target) {
			this.target = target;
			this.protocol = http.baseUrl(target.baseUrl())
				.acceptHeader("application/json")
				.disableCaching()
				.header("X-Forwarded-For", "#{address}");
			String suffix = target.label().isEmpty() ? "" : "-" + target.label();
			this.mix = scenario("mix" + suffix).exec(this::pickKeys).forever().on(exec(this::pickKeys).exec(request()));
			this.once = scenario("mix-open" + suffix).exec(this::pickKeys).exec(request());
		}

		private ChainBuilder request() {
			ChainBuilder request = exec(randomSwitch().on(choices()));
			return this.target.label().isEmpty() ? request : group(this.target.label()).on(request);
		}

		/** The mix, in percent of requests. */
		private Choice.WithWeight[] choices() {
			return new Choice.WithWeight[] {
					percent(25).then(timed("pricing", http("pricing").get("/api/pricing"))),
					percent(25).then(
							timed("statistics", http("statistics").get("/api/agents/#{agent}/statistics"))),
					percent(20).then(
							timed("credits-read", http("credits-read").get("/api/accounts/#{account}/credits"))),
					percent(5).then(
							timed("credits-write",
									http("credits-write").post("/api/accounts/#{account}/credits?amount=#{amount}"))),
					percent(10).then(
							timed("login",
									http("login").post("/api/auth/login")
										.body(StringBody("{\"email\":\"#{email}\",\"password\":\"#{password}\"}"))
										.asJson())),
					percent(5).then(timed("scan", http("scan").post("/api/scans").header("X-API-Key", "#{apiKey}"))),
					percent(5).then(timed("executions", http("executions").get("/api/executions"))),
					percent(4).then(timed("n-plus-one", http("n-plus-one").get("/api/executions/n-plus-one"))),
					percent(1).then(timed("report", http("report").get("/api/reports/balances"))) };
		}

		private Session pickKeys(Session session) {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			int address = random.nextInt(ADDRESSES);
			return session.set("address", "10.20." + (address / 16) + "." + (address % 16 + 1))
				.set("email", "user" + random.nextInt(EMAILS) + "@load.perfkit.dev")
				.set("password", (random.nextInt(5) == 0) ? "demo" : "wrong")
				.set("account", "load-" + this.target.runId() + "-" + random.nextInt(ACCOUNTS))
				.set("amount", random.nextInt(1, 100))
				.set("agent", "agent-" + random.nextInt(AGENTS))
				.set("apiKey", (random.nextInt(4) == 0 ? "pro-" : "free-") + random.nextInt(20));
		}

		/** The request, with its send time taken before and its sample recorded after. */
		private ChainBuilder timed(String name, HttpRequestActionBuilder request) {
			return exec(session -> session.set("sent", System.currentTimeMillis()))
				.exec(request.check(status().saveAs("status"), header("X-Cache-Status").optional().saveAs("cache"),
						responseTimeInMillis().saveAs("millis"), status().lt(500)))
				.exec(session -> {
					long received = System.currentTimeMillis();
					int status = session.contains("status") ? session.getInt("status") : 0;
					long millis = session.contains("millis") ? session.getLong("millis") : received - session.getLong("sent");
					String cache = session.contains("cache") ? session.getString("cache") : "-";
					String key = "-";
					String key2 = "-";
					if (name.equals("login")) {
						key = session.getString("address");
						key2 = session.getString("email");
					}
					else if (name.equals("credits-write")) {
						key = session.getString("account");
					}
					this.recorder.record(new Recorder.Sample(session.getLong("sent"), received, name, status, millis,
							cache, key, key2));
					return session.removeAll("status", "cache", "millis").markAsSucceeded();
				});
		}

	}

}
