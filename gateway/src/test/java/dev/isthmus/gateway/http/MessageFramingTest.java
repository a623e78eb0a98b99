package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class MessageFramingTest {

    @Test
    void aStreamingRequestThatCameChunkedIsChunked() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        MessageFraming.request(request, true);
        assertThat(HttpUtil.isTransferEncodingChunked(request)).isTrue();
    }

    @Test
    void aHeadWithNeitherLengthNorChunksHasNoBodyAndGainsNone() {
        HttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        MessageFraming.request(get, false);
        MessageFraming.request(post, false);
        assertThat(get.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        assertThat(get.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
        assertThat(post.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        assertThat(HttpUtil.getContentLength(post)).isZero();
    }

    @Test
    void aStreamingRequestKeepsItsLength() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/");
        HttpUtil.setContentLength(request, 10);
        MessageFraming.request(request, false);
        assertThat(HttpUtil.isTransferEncodingChunked(request)).isFalse();
        assertThat(HttpUtil.getContentLength(request)).isEqualTo(10);
    }

    @Test
    void aCompleteGetGetsNoLengthAndACompletePostGetsZero() {
        FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        MessageFraming.request(get, false);
        MessageFraming.request(post, false);
        assertThat(get.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
        assertThat(HttpUtil.getContentLength(post)).isZero();
        get.release();
        post.release();
    }

    @Test
    void aResponseWithoutLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() {
        HttpResponse toHttp11 = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpResponse toHttp10 = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);

        assertThat(MessageFraming.response(toHttp11, HttpMethod.GET, true)).isTrue();
        assertThat(MessageFraming.response(toHttp10, HttpMethod.GET, false)).isFalse();
        assertThat(HttpUtil.isTransferEncodingChunked(toHttp11)).isTrue();
        assertThat(HttpUtil.isTransferEncodingChunked(toHttp10)).isFalse();
    }

    @Test
    void aCompleteResponseGetsItsLength() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(new byte[5]));
        assertThat(MessageFraming.response(response, HttpMethod.GET, true)).isTrue();
        assertThat(HttpUtil.getContentLength(response)).isEqualTo(5);
        response.release();
    }

    @Test
    void responsesWithoutBodyAreLeftAlone() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpResponse noContent = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        assertThat(MessageFraming.response(head, HttpMethod.HEAD, true)).isTrue();
        assertThat(MessageFraming.response(noContent, HttpMethod.GET, true)).isTrue();
        assertThat(head.headers().isEmpty()).isTrue();
        assertThat(noContent.headers().isEmpty()).isTrue();
    }
}
