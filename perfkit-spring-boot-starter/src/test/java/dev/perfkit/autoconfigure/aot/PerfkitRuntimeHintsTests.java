package dev.perfkit.autoconfigure.aot;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.perfkit.report.CacheSection;
import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.QuerySection;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * perfkit's hints for AOT processing and native images, checked with
 * {@link RuntimeHintsPredicates}.
 */
class PerfkitRuntimeHintsTests {

	@Test
	void theRegistrarIsFoundThroughAotFactories() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.hasAtLeastOneElementOfType(PerfkitRuntimeHints.class);
		assertThat(AotServices.factories().load(BeanFactoryInitializationAotProcessor.class))
			.hasAtLeastOneElementOfType(CachedValueTypesAotProcessor.class);
	}

	@Test
	void resourcesReadByNameAreRegisteredAndExist() {
		RuntimeHints hints = new RuntimeHints();
		new PerfkitRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.resource().forResource(PerfkitRuntimeHints.RATE_LIMIT_SCRIPT)).accepts(hints);
		assertThat(RuntimeHintsPredicates.resource().forResource(PerfkitRuntimeHints.DASHBOARD)).accepts(hints);
		// The hints name the very files the code reads.
		assertThat(getClass().getClassLoader().getResource(PerfkitRuntimeHints.RATE_LIMIT_SCRIPT)).isNotNull();
		assertThat(getClass().getClassLoader().getResource(PerfkitRuntimeHints.DASHBOARD)).isNotNull();
	}

	@Test
	void theReportsJsonTypesAreRegisteredForBinding() {
		RuntimeHints hints = new RuntimeHints();
		new PerfkitRuntimeHints().registerHints(hints, getClass().getClassLoader());
		for (Class<?> type : List.of(PerformanceReport.class, CacheSection.class, CacheSection.Cache.class,
				CacheSection.Tier.class, QuerySection.Query.class)) {
			assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(PerformanceReport.class, "score"))
			.accepts(hints);
	}

	@Test
	void percentsConverterMethodIsRegisteredForBinding() {
		RuntimeHints hints = new RuntimeHints();
		new PerfkitRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(dev.perfkit.autoconfigure.cache.Percent.class, "valueOf")).accepts(hints);
	}

	@Test
	void theReturnTypesOfCachedMethodsAreRegisteredForTheJsonCodec() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("pricing", new RootBeanDefinition(PricingService.class));
		BeanFactoryInitializationAotContribution contribution = new CachedValueTypesAotProcessor()
			.processAheadOfTime(beanFactory);
		assertThat(contribution).isNotNull();
		DefaultGenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("com.example", "Test")), new InMemoryGeneratedFiles());
		contribution.applyTo(generation, null);
		RuntimeHints hints = generation.getRuntimeHints();
		assertThat(RuntimeHintsPredicates.reflection().onType(Price.class).withMemberCategory(
				MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Discount.class)).as("inside Optional").accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Plan.class)).as("inside CompletableFuture<List<>>")
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Unrelated.class)).rejects(hints);
	}

	@Test
	void anApplicationWithoutCachedMethodsContributesNothing() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("unrelated", new RootBeanDefinition(Unrelated.class));
		assertThat(new CachedValueTypesAotProcessor().processAheadOfTime(beanFactory)).isNull();
	}

	record Price(String plan, long cents) {
	}

	record Discount(int percent) {
	}

	record Plan(String name) {
	}

	record Unrelated(String name) {
	}

	static class PricingService {

		@Cacheable("pricing")
		public Price price(String plan) {
			return new Price(plan, 100);
		}

		@CachePut("discounts")
		public Optional<Discount> discount(String plan) {
			return Optional.empty();
		}

		@Cacheable("plans")
		public CompletableFuture<List<Plan>> plans() {
			return CompletableFuture.completedFuture(List.of());
		}

		public Unrelated notCached() {
			return new Unrelated("x");
		}

	}

}
