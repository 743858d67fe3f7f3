package dev.tandem;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a read that must see the primary, for example right after a transfer. The
 * annotated method's statements run on the primary whether or not it is
 * {@code @Transactional(readOnly = true)}. Called inside a read-only transaction that
 * already has a connection, the method runs in a read-only transaction of its own on the
 * primary ({@code REQUIRES_NEW}); inside a read-write transaction it simply joins it,
 * since that transaction is on the primary already.
 *
 * @see ReadFromReplica
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface ReadFromPrimary {

}
