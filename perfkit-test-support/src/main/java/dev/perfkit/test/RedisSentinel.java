package dev.perfkit.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;

/**
 * A Redis master, optionally with replicas ({@code --replicaof}), watched by one Sentinel
 * (quorum 1), all {@link RedisProcess}es on free loopback ports, for tests of Spring
 * Boot's {@code spring.data.redis.sentinel.*} configuration and of a real failover.
 * <p>
 * The Sentinel declares a master down after {@value #DOWN_AFTER_MILLIS} ms and gives a
 * failover {@value #FAILOVER_TIMEOUT_MILLIS} ms. {@link #failover()} asks it for a failover
 * ({@code SENTINEL FAILOVER}, the old master still up), {@link #killMaster()} crashes the
 * master and lets it fail over; both return once the Sentinel names the former replica as
 * master and it accepts writes. A Sentinel failover is not coordinated: the old master
 * stays a master, accepting writes its clients send it, until the Sentinel turns it into a
 * replica of the new one (about ten seconds later; {@link #awaitFormerMasterDemoted()}),
 * and those writes are then discarded by its resynchronisation.
 * <p>
 * {@link #close()} stops every process; each also runs under {@link RedisProcess}'s
 * watchdog, so nothing outlives a failed or killed test run.
 */
public final class RedisSentinel implements AutoCloseable {

	/** The name under which the Sentinel monitors the master. */
	public static final String MASTER_NAME = "perfkit-master";

	/**
	 * Sentinel's {@code down-after-milliseconds}. Not shorter: on a loaded machine a master
	 * that misses its pings for a second is failed over for nothing.
	 */
	public static final int DOWN_AFTER_MILLIS = 2000;

	/** Sentinel's {@code failover-timeout}. */
	public static final int FAILOVER_TIMEOUT_MILLIS = 5000;

	/** How long any step of starting or failing over may take. */
	private static final Duration BOUND = Duration.ofSeconds(40);

	private static final String PROBE = "perfkit:test:sentinel-probe";

	/** The data servers: the first started as master, the others as its replicas. */
	private final List<RedisProcess> servers;

	private final RedisProcess sentinel;

	private volatile RedisProcess master;

	private volatile RedisProcess formerMaster;

	private RedisSentinel(List<RedisProcess> servers, RedisProcess sentinel) {
		this.servers = servers;
		this.sentinel = sentinel;
		this.master = servers.get(0);
	}

	/**
	 * Start a master and a Sentinel that monitors it, and wait until the Sentinel
	 * reports the master's address.
	 * @return the running pair
	 */
	public static RedisSentinel start() {
		return start(0);
	}

	/**
	 * Start a master, replicas of it and a Sentinel that monitors them, and wait until
	 * every replica is in sync and known to the Sentinel.
	 * @param replicas how many replicas (0 or more)
	 * @param serverArgs further {@code redis-server} arguments for every data server (the
	 * master and each replica, since any of them may become master), such as
	 * {@code "--min-replicas-to-write", "1"}
	 * @return the running topology
	 */
	public static RedisSentinel start(int replicas, String... serverArgs) {
		List<RedisProcess> servers = new ArrayList<>();
		RedisProcess sentinel = null;
		try {
			RedisProcess master = RedisProcess.start(FreePorts.find(false), List.of(serverArgs));
			servers.add(master);
			for (int i = 0; i < replicas; i++) {
				List<String> args = new ArrayList<>(List.of(serverArgs));
				args.addAll(List.of("--replicaof", "127.0.0.1", String.valueOf(master.port())));
				servers.add(RedisProcess.start(FreePorts.find(false), args));
			}
			String config = "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1\n"
					+ "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS + "\n"
					+ "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS + "\n";
			sentinel = RedisProcess.start(FreePorts.find(false), List.of("--sentinel"), config);
			RedisSentinel topology = new RedisSentinel(servers, sentinel);
			topology.awaitSentinelNames(master);
			for (RedisProcess replica : servers.subList(1, servers.size())) {
				topology.awaitReplicaOf(replica, master);
			}
			return topology;
		}
		catch (RuntimeException ex) {
			if (sentinel != null) {
				sentinel.close();
			}
			servers.forEach(RedisProcess::close);
			throw ex;
		}
	}

	/**
	 * Return the current master as the Sentinel names it: the first server until a
	 * failover, then the replica the Sentinel promoted (also by a failover of its own, such
	 * as one for a master that missed its pings on a loaded machine).
	 * @return the master
	 */
	public RedisProcess master() {
		return followSentinel();
	}

	/**
	 * Take the Sentinel's word for which server is master, when it names one of ours other
	 * than the one last known; keep the last known one when it cannot answer.
	 */
	private synchronized RedisProcess followSentinel() {
		try {
			int port = namedMasterPort();
			RedisProcess current = this.master;
			if (current.port() != port) {
				for (RedisProcess server : this.servers) {
					if (server.port() == port) {
						this.formerMaster = current;
						this.master = server;
					}
				}
			}
		}
		catch (RuntimeException ex) {
			// The Sentinel is busy or restarting: the last known master stands.
		}
		return this.master;
	}

	/**
	 * Return the master before the last failover, or {@code null} before any.
	 * @return the former master
	 */
	public RedisProcess formerMaster() {
		return this.formerMaster;
	}

	/**
	 * Return the replicas of the current master as started (a former master that the
	 * Sentinel has not turned into a replica yet is not among them).
	 * @return the replicas
	 */
	public List<RedisProcess> replicas() {
		RedisProcess current = followSentinel();
		return this.servers.stream().filter((server) -> server != current && server != this.formerMaster).toList();
	}

	/**
	 * Return the Sentinel's {@code host:port}, as {@code spring.data.redis.sentinel.nodes}
	 * takes it.
	 * @return the Sentinel node
	 */
	public String sentinelNode() {
		return "127.0.0.1:" + this.sentinel.port();
	}

	/**
	 * Return the Sentinel's port.
	 * @return the port
	 */
	public int sentinelPort() {
		return this.sentinel.port();
	}

	/**
	 * Ask the Sentinel for a failover ({@code SENTINEL FAILOVER}) while the master is up,
	 * and wait until it names a former replica as master and that server accepts writes.
	 * The old master keeps running, as a master, until the Sentinel demotes it.
	 * @return the new master
	 */
	public RedisProcess failover() {
		requireReplica();
		RedisProcess old = followSentinel();
		Awaitility.await("SENTINEL FAILOVER accepted")
			.atMost(BOUND)
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> "OK".equals(this.sentinel.endpoint().call("SENTINEL", "FAILOVER", MASTER_NAME)));
		return awaitPromotion(old);
	}

	/**
	 * Crash the master ({@code SIGKILL}), as a host failure would, and wait until the
	 * Sentinel (after {@value #DOWN_AFTER_MILLIS} ms) names a former replica as master and
	 * that server accepts writes. Writes the old master acknowledged but had not yet sent
	 * to its replica are lost.
	 * @return the new master
	 */
	public RedisProcess killMaster() {
		requireReplica();
		RedisProcess old = followSentinel();
		old.kill();
		return awaitPromotion(old);
	}

	/**
	 * Wait until the former master is a replica of the new one and in sync with it: the
	 * end of the window in which both accept writes. The Sentinel demotes it with
	 * {@code REPLICAOF} and {@code CLIENT KILL}, so clients still connected to it
	 * reconnect (through the Sentinel, to the new master).
	 */
	public void awaitFormerMasterDemoted() {
		RedisProcess old = this.formerMaster;
		if (old == null) {
			throw new IllegalStateException("No failover happened");
		}
		awaitReplicaOf(old, followSentinel());
	}

	/**
	 * Return whether every data server but the master is running, a replica of the master
	 * in sync with it, and known to the Sentinel as such: no failover under way, no
	 * former master still accepting writes. Does not wait.
	 * @return whether the topology is stable
	 */
	public boolean isStable() {
		RedisProcess current = followSentinel();
		try {
			return namedMasterPort() == current.port() && this.servers.stream()
				.filter((server) -> server != current)
				.allMatch((server) -> isReplicaOf(server, current));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Return the data servers other than the current master (replicas, a former master
	 * whatever its state).
	 * @return the other servers
	 */
	public List<RedisProcess> others() {
		RedisProcess current = followSentinel();
		return this.servers.stream().filter((server) -> server != current).toList();
	}

	private RedisProcess awaitPromotion(RedisProcess old) {
		List<RedisProcess> candidates = this.servers.stream().filter((server) -> server != old).toList();
		RedisProcess[] promoted = new RedisProcess[1];
		Awaitility.await("Sentinel to name a former replica as master")
			.atMost(BOUND)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				int port = namedMasterPort();
				promoted[0] = candidates.stream().filter((server) -> server.port() == port).findFirst().orElse(null);
				return promoted[0] != null;
			});
		RedisProcess next = promoted[0];
		Awaitility.await("new master on port " + next.port() + " to accept writes")
			.atMost(BOUND)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> String.valueOf(next.endpoint().call("ROLE")).startsWith("[master")
					&& "OK".equals(next.endpoint().call("SET", PROBE, "1", "PX", "1000")));
		synchronized (this) {
			this.formerMaster = old;
			this.master = next;
		}
		return next;
	}

	private void requireReplica() {
		if (this.servers.size() < 2) {
			throw new IllegalStateException("A failover needs a replica: start with RedisSentinel.start(1)");
		}
	}

	private int namedMasterPort() {
		Object address = this.sentinel.endpoint().call("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
		return Integer.parseInt(String.valueOf(((List<?>) address).get(1)));
	}

	private void awaitSentinelNames(RedisProcess master) {
		Awaitility.await("sentinel to know its master")
			.atMost(BOUND)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> namedMasterPort() == master.port());
	}

	/**
	 * Wait until a server replicates the master with its link up, and the Sentinel lists
	 * it as a replica that is not down (a failover promotes only such a replica).
	 */
	private void awaitReplicaOf(RedisProcess replica, RedisProcess master) {
		Awaitility.await("replica on port " + replica.port() + " in sync with " + master.port())
			.atMost(BOUND)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> isReplicaOf(replica, master));
	}

	private boolean isReplicaOf(RedisProcess replica, RedisProcess master) {
		String info = String.valueOf(replica.endpoint().call("INFO", "replication"));
		return info.contains("role:slave") && info.contains("master_port:" + master.port())
				&& info.contains("master_link_status:up") && knownReplica(replica);
	}

	private boolean knownReplica(RedisProcess replica) {
		Object replicas = this.sentinel.endpoint().call("SENTINEL", "REPLICAS", MASTER_NAME);
		for (Object entry : (List<?>) replicas) {
			List<?> fields = (List<?>) entry;
			String port = null;
			String flags = null;
			for (int i = 0; i + 1 < fields.size(); i += 2) {
				if ("port".equals(fields.get(i))) {
					port = String.valueOf(fields.get(i + 1));
				}
				else if ("flags".equals(fields.get(i))) {
					flags = String.valueOf(fields.get(i + 1));
				}
			}
			if (String.valueOf(replica.port()).equals(port) && "slave".equals(flags)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void close() {
		RuntimeException failure = null;
		List<RedisProcess> all = new ArrayList<>(this.servers);
		all.add(0, this.sentinel);
		for (RedisProcess process : all) {
			try {
				process.close();
			}
			catch (RuntimeException ex) {
				failure = (failure != null) ? failure : ex;
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
