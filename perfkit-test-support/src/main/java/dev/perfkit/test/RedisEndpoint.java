package dev.perfkit.test;

/**
 * Where a test's Redis answers.
 *
 * @param host the host name or address
 * @param port the port
 */
public record RedisEndpoint(String host, int port) {

	/**
	 * Return a {@code redis://} URI for this endpoint.
	 * @return the URI
	 */
	public String uri() {
		return "redis://" + this.host + ":" + this.port;
	}

	/**
	 * Send one command and return its reply.
	 * @param args the command and its arguments
	 * @return the reply, as {@link Resp#call} describes it
	 */
	public Object call(String... args) {
		return Resp.call(this.host, this.port, args);
	}

	/**
	 * Remove every key of every database. Tests that share the server use their own key
	 * prefixes instead where they can.
	 */
	public void flushAll() {
		call("FLUSHALL");
	}

}
