package dev.tandem;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Routes the statements of a method that runs outside any transaction (plain
 * {@code JdbcTemplate} calls, for example) to a standby, as
 * {@code @Transactional(readOnly = true)} does for transactional work. Inside a
 * read-write transaction it has no effect: the transaction's connection is on the primary
 * and is kept.
 *
 * @see ReadFromPrimary
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface ReadFromReplica {

}
