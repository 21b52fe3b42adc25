package dev.perfkit.autoconfigure.query;

import java.util.List;

import dev.perfkit.autoconfigure.query.orders.Customer;
import dev.perfkit.autoconfigure.query.orders.OrdersConfiguration;
import dev.perfkit.autoconfigure.query.orders.PurchaseOrder;
import dev.perfkit.query.NPlusOneSuspect;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.test.TestServer;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import jakarta.persistence.EntityManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * N+1 detection with Hibernate against PostgreSQL and MariaDB: lazy loading in a loop is
 * reported once with its count, its fetch-join twin is not.
 */
@ParameterizedClass
@EnumSource(TestServer.class)
class HibernateNPlusOneIntegrationTests {

	@Parameter
	TestServer server;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void contextRunner() {
		this.contextRunner = PostgresContextRunners
			.of(this.server.database(),
					"org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration",
					"org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration")
			.withUserConfiguration(OrdersConfiguration.class)
			.withPropertyValues("spring.jpa.hibernate.ddl-auto=create-drop", "spring.jpa.open-in-view=false",
					"perfkit.query.hibernate.comment-tag=true");
	}

	@Test
	void touchingALazyAssociationOfTenOrdersIsOneNPlusOneReportWithCountTen() {
		this.contextRunner.run((context) -> {
			seed(context);
			transaction(context, "OrderService.listOrders").executeWithoutResult((status) -> {
				List<PurchaseOrder> orders = entityManager(context)
					.createQuery("select o from PurchaseOrder o order by o.id", PurchaseOrder.class)
					.getResultList();
				orders.forEach((order) -> order.getCustomer().getName());
			});
			List<NPlusOneSuspect> suspects = context.getBean(QueryInsight.class).snapshot().nPlusOneSuspects();
			assertThat(suspects).singleElement().satisfies((suspect) -> {
				assertThat(suspect.lastCount()).isEqualTo(10);
				assertThat(suspect.entryPoint()).isEqualTo("OrderService.listOrders");
				assertThat(suspect.sql()).contains("from pk5_customer");
				assertThat(suspect.caller()).contains(getClass().getSimpleName());
			});
		});
	}

	@Test
	void theFetchJoinTwinIsNoNPlusOne() {
		this.contextRunner.run((context) -> {
			seed(context);
			transaction(context, "OrderService.listOrdersWithCustomers").executeWithoutResult((status) -> {
				List<PurchaseOrder> orders = entityManager(context)
					.createQuery("select o from PurchaseOrder o join fetch o.customer order by o.id",
							PurchaseOrder.class)
					.getResultList();
				orders.forEach((order) -> order.getCustomer().getName());
			});
			assertThat(context.getBean(QueryInsight.class).snapshot().nPlusOneSuspects()).isEmpty();
			assertThat(context.getBean(QueryInsight.class).snapshot().queries())
				.anySatisfy((query) -> assertThat(query.sql()).contains("join pk5_customer"));
		});
	}

	@Test
	void hibernateStatisticsAndSlowQueryLogArePassedThrough() {
		this.contextRunner
			.withPropertyValues("perfkit.query.hibernate.statistics=true", "perfkit.query.hibernate.log-slow-query=true",
					"perfkit.query.slow-threshold=250ms")
			.run((context) -> {
				java.util.Map<String, Object> properties = context.getBean(EntityManagerFactory.class).getProperties();
				assertThat(properties).containsEntry("hibernate.generate_statistics", true)
					.containsEntry("hibernate.log_slow_query", 250L);
			});
	}

	@Test
	void hibernateStatementsCarryTheStaticCommentTagOfTheirTransaction() {
		this.contextRunner
			.withPropertyValues("spring.application.name=shop", "perfkit.query.slow-threshold=0ms",
					"perfkit.query.log-parameters=true",
					// The seed's statements just before must not use up the second's lines.
					"perfkit.query.slow-log-lines-per-second=0")
			.run((context) -> {
				seed(context);
				ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
					.getLogger("dev.perfkit.query.slow");
				ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.read.ListAppender<>();
				appender.start();
				logger.addAppender(appender);
				try {
					transaction(context, "OrderService.countOrders").executeWithoutResult((status) -> entityManager(context)
						.createQuery("select count(o) from PurchaseOrder o", Long.class)
						.getSingleResult());
				}
				finally {
					logger.detachAppender(appender);
				}
				assertThat(appender.list).singleElement()
					.satisfies((event) -> assertThat(event.getFormattedMessage())
						.contains("/* application=shop, route=OrderService.countOrders */ select count("));
			});
	}

	private void seed(AssertableApplicationContext context) {
		transaction(context, "seed").executeWithoutResult((status) -> {
			EntityManager entityManager = entityManager(context);
			for (long id = 1; id <= 10; id++) {
				Customer customer = new Customer(id, "customer-" + id);
				entityManager.persist(customer);
				entityManager.persist(new PurchaseOrder(id, customer));
			}
		});
		context.getBean(QueryInsight.class).reset();
	}

	private static TransactionTemplate transaction(AssertableApplicationContext context, String name) {
		TransactionTemplate transaction = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
		transaction.setName(name);
		return transaction;
	}

	private static EntityManager entityManager(AssertableApplicationContext context) {
		return SharedEntityManagerCreator.createSharedEntityManager(context.getBean(EntityManagerFactory.class));
	}

}
