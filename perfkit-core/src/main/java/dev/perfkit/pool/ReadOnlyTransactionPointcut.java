package dev.perfkit.pool;

import java.lang.reflect.Method;

import org.springframework.aop.ClassFilter;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/**
 * Matches methods whose transaction attribute is read-only, such as
 * {@code @Transactional(readOnly = true)} ones, as Spring's own transaction advisor matches
 * transactional methods: {@link ReplicaRetryInterceptor} goes around them.
 */
public final class ReadOnlyTransactionPointcut extends StaticMethodMatcherPointcut {

	private final TransactionAttributeSource attributes;

	/**
	 * Create a pointcut.
	 * @param attributes where the methods' transaction attributes come from
	 */
	public ReadOnlyTransactionPointcut(TransactionAttributeSource attributes) {
		this.attributes = attributes;
		setClassFilter(new ClassFilter() {

			@Override
			public boolean matches(Class<?> type) {
				return !TransactionManager.class.isAssignableFrom(type) && attributes.isCandidateClass(type);
			}

		});
	}

	@Override
	public boolean matches(Method method, Class<?> targetClass) {
		TransactionAttribute attribute = this.attributes.getTransactionAttribute(method, targetClass);
		return attribute != null && attribute.isReadOnly();
	}

}
