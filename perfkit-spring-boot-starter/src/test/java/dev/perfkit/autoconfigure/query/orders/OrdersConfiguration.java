package dev.perfkit.autoconfigure.query.orders;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.context.annotation.Configuration;

/** Makes this package the one Hibernate scans for entities. */
@Configuration(proxyBeanMethods = false)
@AutoConfigurationPackage
public class OrdersConfiguration {

}
