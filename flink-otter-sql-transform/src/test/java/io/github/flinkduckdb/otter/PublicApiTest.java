package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.otter.model.ModelDirectory;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transform's public API names no type of an {@code internal} package in a public signature
 * (members marked {@code @Internal}, such as {@code ModelAnalysis}'s constructor, aside). Flink's
 * annotations are not kept at run time, so the rule goes by package: every {@code @Internal} type
 * of this module lives in {@code io.github.flinkduckdb.otter.internal}.
 */
class PublicApiTest {

    private static final List<Class<?>> API =
            Arrays.asList(
                    OtterTransform.class,
                    OtterTransformBuilder.class,
                    OtterStreams.class,
                    OtterEngine.class,
                    OtterProcessFunction.class,
                    OtterKeyedProcessFunction.class,
                    OtterResult.class,
                    OtterDeadLetter.class,
                    OtterMessage.class,
                    OtterStage.class,
                    ShapedRow.class,
                    IncomingSchema.class,
                    ModelAnalysis.class,
                    ModelDirectory.class,
                    OtterModel.class,
                    OtterModelException.class);

    @Test
    void publicSignaturesNameNoInternalType() {
        List<String> violations = new ArrayList<>();
        for (Class<?> type : API) {
            List<Executable> members = new ArrayList<>();
            members.addAll(Arrays.asList(type.getDeclaredMethods()));
            members.addAll(Arrays.asList(type.getDeclaredConstructors()));
            for (Executable member : members) {
                if (!Modifier.isPublic(member.getModifiers())
                        || member.isSynthetic()
                        || isInternalMember(type, member)) {
                    continue;
                }
                List<Type> types =
                        new ArrayList<>(Arrays.asList(member.getGenericParameterTypes()));
                if (member instanceof Method) {
                    types.add(((Method) member).getGenericReturnType());
                }
                for (Type t : types) {
                    if (namesInternalType(t)) {
                        violations.add(type.getSimpleName() + "#" + member.getName() + ": " + t);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    /** Members marked {@code @Internal} in the source (the annotation is not kept at run time). */
    private static boolean isInternalMember(Class<?> type, Executable member) {
        return type == ModelAnalysis.class && member instanceof java.lang.reflect.Constructor;
    }

    private static boolean namesInternalType(Type t) {
        if (t instanceof Class) {
            Class<?> c = (Class<?>) t;
            while (c.isArray()) {
                c = c.getComponentType();
            }
            return c.getName().contains(".internal.");
        }
        if (t instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) t;
            if (namesInternalType(p.getRawType())) {
                return true;
            }
            for (Type arg : p.getActualTypeArguments()) {
                if (namesInternalType(arg)) {
                    return true;
                }
            }
            return false;
        }
        if (t instanceof GenericArrayType) {
            return namesInternalType(((GenericArrayType) t).getGenericComponentType());
        }
        if (t instanceof WildcardType) {
            WildcardType w = (WildcardType) t;
            for (Type b : w.getUpperBounds()) {
                if (namesInternalType(b)) {
                    return true;
                }
            }
            for (Type b : w.getLowerBounds()) {
                if (namesInternalType(b)) {
                    return true;
                }
            }
        }
        return false;
    }
}
