package dev.perfkit.load;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The targets a run sends its mix to: the paired run's sides must never share a folder or
 * an account (the perfkit-off side would change balances behind perfkit's cache, and the
 * coherence check would then report stale keys that perfkit could not have known about).
 */
class LoadSettingsTests {

	private static final Path OUT = Path.of("/tmp/load/run");

	@Test
	void withoutTargetsTheBaseUrlIsTheOnlyTargetAsBefore() {
		List<LoadSettings.Target> targets = LoadSettings.targets("", "http://127.0.0.1:18080", OUT, "20261130-040000");
		assertThat(targets).containsExactly(new LoadSettings.Target("", "http://127.0.0.1:18080", OUT, "20261130-040000"));
	}

	@Test
	void eachLabelledTargetHasItsOwnFolderAndAccounts() {
		List<LoadSettings.Target> targets = LoadSettings.targets("on=http://127.0.0.1:18080, off=http://127.0.0.1:18085",
				"http://ignored", OUT, "r1");
		assertThat(targets).containsExactly(
				new LoadSettings.Target("on", "http://127.0.0.1:18080", OUT.resolve("on"), "r1-on"),
				new LoadSettings.Target("off", "http://127.0.0.1:18085", OUT.resolve("off"), "r1-off"));
	}

	@Test
	void anAccountOfOneSideNeverMatchesTheOtherSidesLedgerQuery() {
		// The script reads each side's truth with: account_id like 'load-<runId>-%'.
		List<LoadSettings.Target> targets = LoadSettings.targets("on=http://a,off=http://b", "http://ignored", OUT, "r1");
		String onAccount = "load-" + targets.get(0).runId() + "-7";
		String offAccount = "load-" + targets.get(1).runId() + "-7";
		assertThat(offAccount).doesNotStartWith("load-" + targets.get(0).runId() + "-");
		assertThat(onAccount).doesNotStartWith("load-" + targets.get(1).runId() + "-");
	}

	@Test
	void rejectsAnEntryWithoutLabelOrUrl() {
		assertThatIllegalArgumentException().isThrownBy(() -> LoadSettings.targets("http://a", "x", OUT, "r"))
			.withMessageContaining("LOAD_TARGETS must be label=url");
		assertThatIllegalArgumentException().isThrownBy(() -> LoadSettings.targets("on=", "x", OUT, "r"))
			.withMessageContaining("LOAD_TARGETS must be label=url");
		assertThatIllegalArgumentException().isThrownBy(() -> LoadSettings.targets("../on=http://a", "x", OUT, "r"))
			.withMessageContaining("plain-word labels");
	}

	@Test
	void rejectsALabelGivenTwice() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> LoadSettings.targets("on=http://a,on=http://b", "x", OUT, "r"))
			.withMessageContaining("names on twice");
	}

}
