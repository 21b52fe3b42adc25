package dev.perfkit.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The root of perfkit's auto-configuration: binds the master switch. Each capability has
 * an auto-configuration of its own in a sub-package.
 */
@AutoConfiguration
@ConditionalOnPerfkitEnabled
@EnableConfigurationProperties(PerfkitProperties.class)
public final class PerfkitAutoConfiguration {

}
